import FusioAuth
import Testing

@Suite struct FusioSubjectTests {
    // Reference §4.2 vectors.
    @Test func referenceVectors() {
        #expect(FusioSubject.make(baseURL: "http://127.0.0.1", userID: 2) == "2a11f995-1306-5494-aaa5-51c74d882e07")
        #expect(FusioSubject.make(baseURL: "http://127.0.0.1", userID: 1) == "b2493ea4-c99b-5cc9-8004-4fdbe90f674b")
    }

    @Test func trailingSlashChangesTheSubject() {
        #expect(FusioSubject.make(baseURL: "http://127.0.0.1/", userID: 2) != FusioSubject.make(baseURL: "http://127.0.0.1", userID: 2))
    }

    @Test func layout() {
        for userID in 1...200 {
            let sub = FusioSubject.make(baseURL: "https://api.example.org", userID: userID)
            #expect(sub.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
        }
    }
}
