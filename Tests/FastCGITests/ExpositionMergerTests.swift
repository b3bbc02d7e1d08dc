@testable import FastCGI
import Testing

/// Adding up the workers' expositions into the pool's.
@Suite struct ExpositionMergerTests {
    @Test func sumsCountersWithTheSameNameAndLabels() {
        let merged = ExpositionMerger.merge([
            "# TYPE fusio_auth_requests_total counter\nfusio_auth_requests_total{route=\"/a\",status=\"200\"} 3\n",
            "# TYPE fusio_auth_requests_total counter\nfusio_auth_requests_total{route=\"/a\",status=\"200\"} 4\n"
                + "fusio_auth_requests_total{route=\"/a\",status=\"401\"} 1\n",
        ])
        #expect(merged == """
            # TYPE fusio_auth_requests_total counter
            fusio_auth_requests_total{route="/a",status="200"} 7
            fusio_auth_requests_total{route="/a",status="401"} 1

            """)
    }

    @Test func sumsHistogramBucketsSumsAndCounts() {
        let worker = { (bucket: Int, sum: String, count: Int) in
            "# TYPE t histogram\nt_bucket{le=\"0.01\"} \(bucket)\nt_bucket{le=\"+Inf\"} \(count)\nt_sum \(sum)\nt_count \(count)\n"
        }
        let merged = ExpositionMerger.merge([worker(1, "0.5", 2), worker(2, "0.25", 5)])
        #expect(merged == "# TYPE t histogram\nt_bucket{le=\"0.01\"} 3\nt_bucket{le=\"+Inf\"} 7\nt_sum 0.75\nt_count 7\n")
    }

    @Test func keepsFamiliesInFirstSeenOrderWithTheirTypeOnce() {
        let merged = ExpositionMerger.merge([
            "# TYPE a counter\na 1\n# TYPE b gauge\nb 2\n",
            "# TYPE b gauge\nb 1\n# TYPE c counter\nc 5\n",
        ])
        #expect(merged == "# TYPE a counter\na 1\n# TYPE b gauge\nb 3\n# TYPE c counter\nc 5\n")
    }

    @Test func labelValuesWithSpacesStayPartOfTheKey() {
        let merged = ExpositionMerger.merge(["x{d=\"a b\"} 1\n", "x{d=\"a b\"} 2\nx{d=\"a\"} 1\n"])
        #expect(merged == "x{d=\"a b\"} 3\nx{d=\"a\"} 1\n")
    }

    @Test func mixesIntegersAndRealsAsReals() {
        #expect(ExpositionMerger.merge(["g 1\n", "g 0.5\n"]) == "g 1.5\n")
    }

    @Test func skipsLinesThatAreNotSamples() {
        #expect(ExpositionMerger.merge(["# a comment\ngarbage\nn 1\n", "n notanumber\n"]) == "n 1\n")
    }

    @Test func emptyInputIsAnEmptyExposition() {
        #expect(ExpositionMerger.merge([]) == "")
        #expect(ExpositionMerger.merge(["", ""]) == "")
    }
}
