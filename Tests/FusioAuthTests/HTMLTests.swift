import FusioAuthHTTP
import Testing

@Suite struct HTMLTests {
    @Test func escapesTheFiveCharactersAndNUL() {
        #expect(HTML.escape(#"<script>"'&</script>"#) == "&lt;script&gt;&quot;&#39;&amp;&lt;/script&gt;")
        #expect(HTML.escape("a\u{0}b") == "a\u{FFFD}b")
        #expect(HTML.escape("&amp;") == "&amp;amp;")
    }

    @Test func leavesEverythingElseAlone() {
        #expect(HTML.escape("") == "")
        #expect(HTML.escape("Grüße, 日本 😀 / = ` \n") == "Grüße, 日本 😀 / = ` \n")
    }
}
