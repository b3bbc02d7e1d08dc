import FusioAuthMariaDB
import Metrics
import Prometheus

/// swift-metrics with swift-prometheus as its backend, one registry per process (supervisor or worker). Every
/// process uses the same buckets, which is what lets the supervisor add the workers' histograms up.
enum MetricsBackend {
    private static let registry = PrometheusCollectorRegistry()

    /// 1 ms … 10 s: a token request takes a few ms, a bcrypt check ~50–300 ms, the queue deadline is seconds.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10),
    ]

    /// Once per process, before any metric is created.
    static func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        factory.valueHistogramBuckets[TokenWriteBatch.sizeMetric] = TokenWriteBatch.sizeBuckets
        MetricsSystem.bootstrap(factory)
    }

    static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
