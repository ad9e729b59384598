// @generated from patchwork-runtime/src/contract/url_table.rs by tests/tests/sourcegen.rs: edit the original, then run UPDATE_SOURCEGEN=1 cargo test -p patchwork-tests --test sourcegen
//! The URL policy's table of cases, shared by both crates' tests (the attribute's check and the run-time
//! resolver each run every row through their own entry point).

/// Base URLs and what the policy makes of them: the normal form, or `None` for a URL it refuses. Both crates
/// run this table through their own entry point (the attribute's `url` check, the run-time resolver).
pub(crate) const URL_TABLE: &[(&str, Option<&str>)] = &[
    ("https://patchworkmcp.com", Some("https://patchworkmcp.com")),
    (
        "https://patchworkmcp.com/",
        Some("https://patchworkmcp.com"),
    ),
    (
        " HTTPS://PatchworkMCP.com// \n",
        Some("https://patchworkmcp.com"),
    ),
    (
        "https://patchworkmcp.com:443",
        Some("https://patchworkmcp.com"),
    ),
    (
        "https://eu.example.com:8443/patchwork/",
        Some("https://eu.example.com:8443/patchwork"),
    ),
    (
        "https://example.com/apis/v1",
        Some("https://example.com/apis/v1"),
    ),
    ("https://[2001:db8::1]/", Some("https://[2001:db8::1]")),
    ("https://10.0.0.5", Some("https://10.0.0.5")),
    (
        "https://192.168.1.20:9000",
        Some("https://192.168.1.20:9000"),
    ),
    ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
    ("http://127.0.0.1:80/", Some("http://127.0.0.1")),
    ("http://127.5.6.7", Some("http://127.5.6.7")),
    ("http://127.1:9000", Some("http://127.0.0.1:9000")),
    ("http://0x7f.0.0.1", Some("http://127.0.0.1")),
    ("http://2130706433", Some("http://127.0.0.1")),
    ("http://localhost:3000/", Some("http://localhost:3000")),
    (
        "http://LOCALHOST:3000/base",
        Some("http://localhost:3000/base"),
    ),
    ("http://[::1]:9000", Some("http://[::1]:9000")),
    ("http://[0:0:0:0:0:0:0:1]:9000", Some("http://[::1]:9000")),
    (
        "http://[::ffff:127.0.0.1]:9000",
        Some("http://[::ffff:7f00:1]:9000"),
    ),
    (
        "https://[2001:db8:0:0:1:0:0:1]",
        Some("https://[2001:db8::1:0:0:1]"),
    ),
    (
        "https://[2001:DB8::]:8443",
        Some("https://[2001:db8::]:8443"),
    ),
    ("", None),
    ("patchworkmcp.com", None),
    ("ftp://patchworkmcp.com", None),
    ("http://patchworkmcp.com", None),
    ("http://api.localhost:8080", None),
    ("http://localhost.example.com", None),
    ("http://10.0.0.1", None),
    ("http://192.168.1.1:8080", None),
    ("http://172.16.0.1", None),
    ("http://[::2]", None),
    ("http://0.0.0.0:8080", None),
    ("https://0.0.0.0", None),
    ("http://[::]:80", None),
    ("https://", None),
    ("https://:443", None),
    ("https://user:pw@patchworkmcp.com", None),
    ("http://user@127.0.0.1:8080", None),
    ("https://patchworkmcp.com?x=1", None),
    ("https://patchworkmcp.com/#top", None),
    ("https://patchworkmcp.com/api/v1/feedback/", None),
    ("https://patchworkmcp.com/api/v1", None),
    ("https://example.com/prefix/API/V1/heartbeat", None),
    ("http://127.0.0.1:8080/api/v1/feedback/", None),
    ("https://patchworkmcp.com:0", None),
    ("https://patchworkmcp.com:99999", None),
    ("https://patchworkmcp.com:8o", None),
    ("https://patch work.com", None),
    ("https://[::1", None),
    ("https://a..b", None),
    ("https://256.1.1.1", None),
    ("https://1.2.3.4.5", None),
    ("https://bücher.example", None),
    ("https://example.com\\evil", None),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::url::BaseUrl;

    #[test]
    fn the_table_holds() {
        for (input, expected) in URL_TABLE {
            let got = BaseUrl::parse(input).ok();
            assert_eq!(got.as_ref().map(BaseUrl::as_str), *expected, "{input:?}");
        }
    }

    #[test]
    fn refusals_show_the_base_url_to_write() {
        let endpoint = BaseUrl::parse("https://x.example/api/v1/feedback/").unwrap_err();
        assert!(
            endpoint.message().contains("write `https://x.example`"),
            "{endpoint}"
        );
        let query = BaseUrl::parse("https://x.example/base?k=v").unwrap_err();
        assert!(
            query.message().contains("write `https://x.example/base`"),
            "{query}"
        );
        let bare = BaseUrl::parse("x.example").unwrap_err();
        assert!(
            bare.message().contains("write `https://x.example`"),
            "{bare}"
        );
    }

    #[test]
    fn messages_never_repeat_credentials() {
        let error =
            BaseUrl::parse("https://me:s3cret@x.example/api/v1/feedback?t=s3cret").unwrap_err();
        assert!(!error.message().contains("s3cret"));
    }

    #[test]
    fn endpoints_join_without_doubling_slashes() {
        let base = BaseUrl::parse("https://x.example/").unwrap();
        assert_eq!(
            base.endpoint("/api/v1/feedback/"),
            "https://x.example/api/v1/feedback/"
        );
    }
}
