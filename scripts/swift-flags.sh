# Sourced by the scripts that build: the Swift compiler flags every build shares (one set, so that
# the products and the tests reuse each other's build instead of rebuilding).
#
# GenreKit is built on the machine it runs on, so it is compiled for that machine's CPU: the vector
# code (FFTs, median filters, the musicnn front end) then uses AVX2 and FMA where the CPU has them,
# about a fifth less time for the gtzan57 features than the baseline x86-64 (SSE2) code.
# Results are the same either way: Swift never fuses a multiply and an add on its own.
swift_flags=(-Xswiftc -target-cpu -Xswiftc native)
