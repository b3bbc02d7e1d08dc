/// Adds up Prometheus text expositions of several processes into one (each worker process counts only its own
/// requests; a scrape must show the pool). Samples with the same name and labels are summed — counters,
/// histogram buckets, sums and counts, and the gauges we export (busy threads), which are per-process shares
/// of a pool-wide figure. Families keep the order in which they first appear; `# TYPE`/`# HELP` lines are kept
/// once. Integers stay integers so counters do not turn into `12.0`.
public enum ExpositionMerger {
    public static func merge(_ expositions: [String]) -> String {
        var families: [Family] = []
        var familyIndex: [String: Int] = [:]
        for exposition in expositions {
            var current: Int? = nil
            for line in exposition.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("#") {
                    let words = line.split(separator: " ", maxSplits: 3)
                    guard words.count >= 3, words[1] == "TYPE" || words[1] == "HELP" else { continue }
                    let name = String(words[2])
                    let index = familyIndex[name] ?? {
                        families.append(Family(name: name))
                        familyIndex[name] = families.count - 1
                        return families.count - 1
                    }()
                    if !families[index].headers.contains(String(line)) { families[index].headers.append(String(line)) }
                    current = index
                    continue
                }
                guard let sample = Sample(line) else { continue }
                let index = current ?? {
                    // A sample without a TYPE line of its own forms an untyped family named after it.
                    let name = sample.key.prefix { $0 != "{" }
                    if let known = familyIndex[String(name)] { return known }
                    families.append(Family(name: String(name)))
                    familyIndex[String(name)] = families.count - 1
                    return families.count - 1
                }()
                families[index].add(sample)
            }
        }
        var output = ""
        for family in families {
            for header in family.headers { output += header + "\n" }
            for key in family.order { output += key + " " + family.values[key]!.text + "\n" }
        }
        return output
    }

    private struct Family {
        let name: String
        var headers: [String] = []
        var order: [String] = []
        var values: [String: Value] = [:]

        mutating func add(_ sample: Sample) {
            if let existing = values[sample.key] {
                values[sample.key] = existing + sample.value
            } else {
                order.append(sample.key)
                values[sample.key] = sample.value
            }
        }
    }

    /// `name{labels} value`; label values may hold spaces, so the value is whatever follows the last space.
    private struct Sample {
        let key: String
        let value: Value

        init?(_ line: Substring) {
            guard let space = line.lastIndex(of: " "), let value = Value(line[line.index(after: space)...]) else {
                return nil
            }
            key = String(line[..<space])
            self.value = value
        }
    }

    enum Value {
        case integer(Int64)
        case real(Double)

        init?(_ text: Substring) {
            if let integer = Int64(text) {
                self = .integer(integer)
            } else if let real = Double(text) {
                self = .real(real)
            } else {
                switch text {
                case "+Inf": self = .real(.infinity)
                case "-Inf": self = .real(-.infinity)
                case "NaN": self = .real(.nan)
                default: return nil
                }
            }
        }

        var doubleValue: Double {
            switch self {
            case .integer(let value): Double(value)
            case .real(let value): value
            }
        }

        static func + (left: Value, right: Value) -> Value {
            if case .integer(let a) = left, case .integer(let b) = right {
                let (sum, overflow) = a.addingReportingOverflow(b)
                return overflow ? .real(Double(a) + Double(b)) : .integer(sum)
            }
            return .real(left.doubleValue + right.doubleValue)
        }

        var text: String {
            switch self {
            case .integer(let value): String(value)
            case .real(let value) where value == .infinity: "+Inf"
            case .real(let value) where value == -.infinity: "-Inf"
            case .real(let value) where value.isNaN: "NaN"
            case .real(let value): "\(value)"
            }
        }
    }
}
