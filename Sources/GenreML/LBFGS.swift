/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.5) with a backtracking line search under the
/// Armijo condition: enough for the smooth convex losses minimised here, all in Double.
struct LBFGS {
    /// How many past steps shape the curvature estimate (scipy's `maxcor`).
    var memory = 10
    /// Stop when no gradient entry is larger (scipy's `gtol`).
    var gradientTolerance: Double
    var maxIterations: Int

    struct Result {
        var point: [Double]
        var iterations: Int
    }

    /// Minimises `objective`, which returns f(x) and writes ∇f(x) into its second argument.
    func minimize(from start: [Double], _ objective: ([Double], inout [Double]) -> Double) -> Result {
        var x = start
        var gradient = [Double](repeating: 0, count: x.count)
        var value = objective(x, &gradient)
        var history: [(step: [Double], change: [Double], rho: Double)] = []
        var iterations = 0
        while iterations < maxIterations && gradient.contains(where: { abs($0) > gradientTolerance }) {
            iterations += 1
            var direction = Self.direction(gradient, history: history)
            var slope = dot(gradient, direction)
            if slope >= 0 {
                // The curvature estimate went stale: start again from steepest descent.
                history.removeAll()
                direction = Self.direction(gradient, history: history)
                slope = dot(gradient, direction)
            }
            // Halve the step until it gives the Armijo condition's sufficient decrease.
            var step = 1.0, trial = x, trialGradient = gradient, trialValue = value
            while true {
                trial = zip(x, direction).map { $0 + step * $1 }
                trialValue = objective(trial, &trialGradient)
                if trialValue <= value + 1e-4 * step * slope || step < 1e-20 { break }
                step /= 2
            }
            guard trialValue < value else { break }  // no descent left at Double precision
            let change = zip(trialGradient, gradient).map { $0 - $1 }
            let stepTaken = zip(trial, x).map { $0 - $1 }
            let curvature = dot(stepTaken, change)
            if curvature > Double.ulpOfOne * dot(change, change) {
                history.append((stepTaken, change, 1 / curvature))
                if history.count > memory { history.removeFirst() }
            }
            // scipy's `ftol` of 64 ε: a relative decrease this small is rounding, not progress.
            let converged = value - trialValue <= 64 * Double.ulpOfOne * max(abs(value), abs(trialValue), 1)
            (x, gradient, value) = (trial, trialGradient, trialValue)
            if converged { break }
        }
        return Result(point: x, iterations: iterations)
    }

    /// −H∇f by the two-loop recursion; with no history, steepest descent scaled to a unit step.
    private static func direction(_ gradient: [Double], history: [(step: [Double], change: [Double], rho: Double)]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: history.count)
        for i in history.indices.reversed() {
            alphas[i] = history[i].rho * dot(history[i].step, q)
            for j in q.indices { q[j] -= alphas[i] * history[i].change[j] }
        }
        let scale = history.last.map { dot($0.step, $0.change) / dot($0.change, $0.change) }
            ?? 1 / max(dot(gradient, gradient).squareRoot(), 1)
        for j in q.indices { q[j] *= scale }
        for i in history.indices {
            let beta = history[i].rho * dot(history[i].change, q)
            for j in q.indices { q[j] += (alphas[i] - beta) * history[i].step[j] }
        }
        return q.map { -$0 }
    }
}

private func dot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}
