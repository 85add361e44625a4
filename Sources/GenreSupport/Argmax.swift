extension Collection where Element: Comparable {
    /// The position of the largest element, the first of equals; nil when empty.
    public var argmax: Index? {
        indices.max { self[$0] < self[$1] || (self[$0] == self[$1] && $0 > $1) }
    }
}
