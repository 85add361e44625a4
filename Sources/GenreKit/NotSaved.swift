/// A property of a model that its bundle leaves out (a callback for progress): nil when loaded.
@propertyWrapper
public struct NotSaved<Value: Sendable>: Codable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
    public init(from decoder: any Decoder) throws { wrappedValue = nil }
    public func encode(to encoder: any Encoder) throws {}
}

extension KeyedDecodingContainer {
    /// A `NotSaved` property reads nothing, so a bundle need not have its key.
    func decode<Value>(_ type: NotSaved<Value>.Type, forKey key: Key) throws -> NotSaved<Value> { NotSaved(wrappedValue: nil) }
}

extension KeyedEncodingContainer {
    /// A `NotSaved` property writes no key.
    mutating func encode<Value>(_ value: NotSaved<Value>, forKey key: Key) throws {}
}
