/// Numbers read from UTF-8 bytes with the result of `Float(String)` (correctly rounded), without
/// making a String: a feature table is millions of fields.
enum DecimalText {
    /// The number `text` spells, or nil where `Float(String)` gives nil.
    static func float(_ text: UnsafeBufferPointer<UInt8>) -> Float? {
        if let value = plainDecimal(text) { return value }
        // Hexadecimal, "inf", "nan", extreme exponents, subnormals, near-ties: the library decides.
        return Float(String(decoding: text, as: UTF8.self))
    }

    /// 10⁰ ... 10²², every one exact in a Double.
    private static let exactPowersOfTen: [Double] = (0 ... 22).reduce(into: []) { powers, n in
        powers.append(n == 0 ? 1 : powers[n - 1] * 10)
    }

    /// `[+-]digits[.digits][(e|E)[+-]digits]` (digits on at least one side of the point), or nil.
    ///
    /// The first 19 significant digits make an integer m (later ones change the value by under
    /// 1e-18 of it), and m · 10^e is one rounding of a Double for |e| <= 22: within 2 ulps of the
    /// decimal all told. Rounding that Double to a Float gives the decimal's correctly rounded Float
    /// unless a tie between two Floats (a Double whose 29 bits below Float's precision are 1 and
    /// then zeros) lies that close; then, and outside Float's normal range, it gives nil.
    private static func plainDecimal(_ s: UnsafeBufferPointer<UInt8>) -> Float? {
        var i = 0
        let negative = i < s.count && s[i] == UInt8(ascii: "-")
        if i < s.count && (negative || s[i] == UInt8(ascii: "+")) { i += 1 }
        var mantissa: UInt64 = 0, digits = 0, exponent = 0, sawDigit = false, afterPoint = false
        while i < s.count {
            let byte = s[i]
            if byte == UInt8(ascii: "."), !afterPoint {
                afterPoint = true
            } else if let digit = Self.digit(byte) {
                sawDigit = true
                if mantissa == 0 && digit == 0 {
                    if afterPoint { exponent -= 1 }   // leading zeros only place the point
                } else if digits < 19 {
                    mantissa = mantissa * 10 + digit
                    digits += 1
                    if afterPoint { exponent -= 1 }
                } else if !afterPoint {
                    exponent += 1   // a dropped digit before the point still scales the value
                }
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if i < s.count && (s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E")) {
            i += 1
            let negativeExponent = i < s.count && s[i] == UInt8(ascii: "-")
            if i < s.count && (negativeExponent || s[i] == UInt8(ascii: "+")) { i += 1 }
            var written = 0, count = 0
            while i < s.count, let digit = Self.digit(s[i]) {
                if written < 100_000 { written = written * 10 + Int(digit) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            exponent += negativeExponent ? -written : written
        }
        guard i == s.count else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0 }
        guard abs(exponent) <= 22 else { return nil }
        let power = exactPowersOfTen[abs(exponent)]
        let value = exponent < 0 ? Double(mantissa) / power : Double(mantissa) * power
        guard value >= Double(Float.leastNormalMagnitude) && value <= Double(Float.greatestFiniteMagnitude) else { return nil }
        let belowFloat = value.bitPattern & 0x1FFF_FFFF, tie: UInt64 = 0x1000_0000
        guard (belowFloat > tie ? belowFloat - tie : tie - belowFloat) > 8 else { return nil }
        return negative ? -Float(value) : Float(value)
    }

    private static func digit(_ byte: UInt8) -> UInt64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? UInt64(byte - UInt8(ascii: "0")) : nil
    }
}
