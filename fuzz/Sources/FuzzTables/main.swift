import FuzzSupport

Fuzzer.run(testOneInput)
