// @generated from patchwork-runtime/src/contract/url.rs by tests/tests/sourcegen.rs: edit the original, then run UPDATE_SOURCEGEN=1 cargo test -p patchwork-tests --test sourcegen
//! The service-URL policy: which base URLs feedback may be sent to, and their normal form.
//!
//! A base URL is a scheme, a host, an optional port and an optional path prefix that is not the API path:
//! `https://patchworkmcp.com`, `https://eu.example.com:8443/patchwork`. No credentials, query or fragment.
//! `https://` may go to any host; plain `http://` only to loopback (`127.0.0.0/8`, `::1`, `localhost`), so the
//! bearer key never crosses a network unencrypted. The attribute's `url` is checked with this code at compile
//! time and every configured URL with the same code at run time, so one is accepted exactly when the other is.
//!
//! Hosts are read as browsers and `reqwest` read them (the WHATWG URL rules): `127.1` and `0x7f.0.0.1` are
//! `127.0.0.1`. Messages never repeat the URL as written (it may carry credentials); the ones that show a fix
//! show the base URL to write, which never has any.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::texts::API_PREFIX;

/// A checked base URL in normal form: lower-case scheme and host, canonical IP address, no default port, no
/// trailing slash.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct BaseUrl {
    text: String,
}

/// Why a URL is not a usable base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// Nothing was given.
    Empty,
    /// No `scheme://`; `fix` is the URL with `https://` in front, when that is a plain host.
    NoScheme { fix: Option<String> },
    /// A scheme other than `https` or `http`.
    UnsupportedScheme,
    /// Spaces or control characters.
    Whitespace,
    /// `user:password@` in the URL.
    Credentials,
    /// No host, or one that is not a host name or IP address.
    BadHost,
    /// `0.0.0.0` or `::`: an address to listen on, not to send to.
    UnspecifiedHost,
    /// A port that is not a number from 1 to 65535.
    BadPort,
    /// A query or a fragment; `base` is the URL without it.
    QueryOrFragment { base: String },
    /// The path holds the API path (`/api/v1/...`); `base` is the part before it.
    ApiPath { base: String },
    /// `http://` to a host that is not loopback.
    InsecureHttp,
}

impl UrlError {
    /// A short token for logs and the unsent line's `reason=`.
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Self::Empty | Self::Whitespace | Self::BadHost | Self::BadPort => "invalid_url",
            Self::NoScheme { .. } | Self::UnsupportedScheme => "unsupported_url_scheme",
            Self::Credentials => "url_with_credentials",
            Self::UnspecifiedHost => "unspecified_url_host",
            Self::QueryOrFragment { .. } | Self::ApiPath { .. } => "not_a_base_url",
            Self::InsecureHttp => "insecure_url",
        }
    }

    /// What is wrong and what to write instead, in one sentence.
    pub(crate) fn message(&self) -> String {
        match self {
            Self::Empty => "the URL is empty: write the base URL, e.g. `https://patchworkmcp.com`".to_owned(),
            Self::NoScheme { fix: Some(fix) } => format!("the URL has no scheme: write `{fix}`"),
            Self::NoScheme { fix: None } => {
                "the URL has no scheme: it must start with `https://`".to_owned()
            }
            Self::UnsupportedScheme => "the URL must start with `https://` (or `http://` for a loopback host)".to_owned(),
            Self::Whitespace => "the URL contains whitespace or control characters".to_owned(),
            Self::Credentials => {
                "the URL contains credentials (`user:password@`), which would end up in logs and binaries: \
                 give the key through the API key setting instead"
                    .to_owned()
            }
            Self::BadHost => "the URL has no valid host (a host name in ASCII or punycode, or an IP address)".to_owned(),
            Self::UnspecifiedHost => {
                "`0.0.0.0` and `::` are addresses to listen on, not to send to: write `127.0.0.1` (or the \
                 service's host)"
                    .to_owned()
            }
            Self::BadPort => "the URL's port is not a number from 1 to 65535".to_owned(),
            Self::QueryOrFragment { base } => {
                format!("a base URL has no query or fragment: write `{base}`")
            }
            Self::ApiPath { base } => format!(
                "the URL names the API path; the endpoint paths are added to the base URL: write `{base}`"
            ),
            Self::InsecureHttp => {
                "plain `http://` is only for loopback hosts (`127.0.0.0/8`, `[::1]`, `localhost`), so the API \
                 key never crosses a network unencrypted: use `https://`"
                    .to_owned()
            }
        }
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.text)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl BaseUrl {
    /// Checks `input` (surrounding whitespace ignored) against the policy and puts it in normal form.
    pub(crate) fn parse(input: &str) -> Result<Self, UrlError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(UrlError::Empty);
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(UrlError::Whitespace);
        }
        let Some((scheme, rest)) = input.split_once("://") else {
            let plain_host = !input.contains(['@', ':', '?', '#', '/', '\\']);
            return Err(UrlError::NoScheme {
                fix: plain_host.then(|| format!("https://{}", input.to_ascii_lowercase())),
            });
        };
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(UrlError::UnsupportedScheme),
        };
        let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(UrlError::Credentials);
        }
        let (host_text, port_text) = split_host_port(authority)?;
        let host = Host::parse(host_text)?;
        let port = match port_text {
            None | Some("") => None,
            Some(digits) => Some(parse_port(digits)?),
        };
        let port = port.filter(|&p| p != if secure { 443 } else { 80 });
        let scheme = if secure { "https" } else { "http" };
        let origin = match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        let path_end = after.find(['?', '#']).unwrap_or(after.len());
        let (path, tail) = after.split_at(path_end);
        if path.contains('\\') {
            return Err(UrlError::BadHost);
        }
        let path = path.trim_end_matches('/');
        if let Some(at) = api_path_start(path) {
            return Err(UrlError::ApiPath {
                base: format!("{origin}{}", &path[..at]),
            });
        }
        if !tail.is_empty() {
            return Err(UrlError::QueryOrFragment {
                base: format!("{origin}{path}"),
            });
        }
        if !secure && !host.is_loopback() {
            return Err(UrlError::InsecureHttp);
        }
        Ok(Self {
            text: format!("{origin}{path}"),
        })
    }

    /// The base URL in normal form.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The URL of `path` (which starts with `/`, e.g. the feedback endpoint's) below this base URL.
    pub(crate) fn endpoint(&self, path: &str) -> String {
        format!("{}/{}", self.text, path.trim_start_matches('/'))
    }
}

/// Where `/api/v1` starts as whole path segments in `path` (compared without case), if it does.
fn api_path_start(path: &str) -> Option<usize> {
    let lower = path.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(API_PREFIX) {
        let at = from + found;
        let end = at + API_PREFIX.len();
        if end == lower.len() || lower[end..].starts_with('/') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Splits `host[:port]`; an IPv6 host keeps its brackets.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UrlError> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err(UrlError::BadHost);
        };
        let (host, rest) = authority.split_at(close + 1);
        return match rest {
            "" => Ok((host, None)),
            _ => match rest.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(UrlError::BadHost),
            },
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn parse_port(digits: &str) -> Result<u16, UrlError> {
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::BadPort);
    }
    match digits.parse::<u16>() {
        Ok(0) | Err(_) => Err(UrlError::BadPort),
        Ok(port) => Ok(port),
    }
}

/// A host as the WHATWG URL parser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Ip(IpAddr),
    Domain(String),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Self::Ip(IpAddr::V6(ip)) => write!(f, "[{}]", whatwg_ipv6(ip)),
            Self::Domain(name) => f.write_str(name),
        }
    }
}

impl Host {
    fn parse(text: &str) -> Result<Self, UrlError> {
        if text.is_empty() {
            return Err(UrlError::BadHost);
        }
        let ip = if let Some(inner) = text.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(UrlError::BadHost)?;
            IpAddr::V6(inner.parse::<Ipv6Addr>().map_err(|_| UrlError::BadHost)?)
        } else {
            let lower = text.to_ascii_lowercase();
            match parse_ipv4(&lower) {
                Some(Ok(ip)) => IpAddr::V4(ip),
                Some(Err(())) => return Err(UrlError::BadHost),
                None => return domain(&lower).map(Self::Domain),
            }
        };
        if ip.is_unspecified() {
            return Err(UrlError::UnspecifiedHost);
        }
        Ok(Self::Ip(ip))
    }

    fn is_loopback(&self) -> bool {
        match self {
            Self::Ip(IpAddr::V4(ip)) => ip.is_loopback(),
            Self::Ip(IpAddr::V6(ip)) => {
                ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
            Self::Domain(name) => name == "localhost",
        }
    }
}

/// An IPv6 address as the WHATWG URL serializer writes it: hex groups, the first longest run of two or more
/// zero groups compressed to `::`, never the dotted IPv4 form (`::ffff:7f00:1`, not `::ffff:127.0.0.1`).
fn whatwg_ipv6(ip: &Ipv6Addr) -> String {
    let groups = ip.segments();
    let (mut best, mut run) = ((0, 0), (0, 0));
    for (i, group) in groups.iter().enumerate() {
        if *group == 0 {
            run = if run.1 == 0 {
                (i, 1)
            } else {
                (run.0, run.1 + 1)
            };
            if run.1 > best.1 {
                best = run;
            }
        } else {
            run = (0, 0);
        }
    }
    let hex = |range: &[u16]| {
        range
            .iter()
            .map(|g| format!("{g:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    if best.1 < 2 {
        return hex(&groups);
    }
    let (start, len) = best;
    format!("{}::{}", hex(&groups[..start]), hex(&groups[start + len..]))
}

/// A DNS name: labels of ASCII letters, digits, `-` and `_`, each 1 to 63 long, 253 in all.
fn domain(lower: &str) -> Result<String, UrlError> {
    let valid = lower.len() <= 253
        && lower.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if valid {
        Ok(lower.to_owned())
    } else {
        Err(UrlError::BadHost)
    }
}

/// The WHATWG IPv4 parser: `None` when the host does not end in a number (a domain name), `Some(Err)` when
/// it does but is not a valid address.
fn parse_ipv4(host: &str) -> Option<Result<Ipv4Addr, ()>> {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    let last = parts.last()?;
    let ends_in_number = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())));
    if !ends_in_number {
        return None;
    }
    if parts.len() > 4 {
        return Some(Err(()));
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        match ipv4_number(part) {
            Some(n) => numbers.push(n),
            None => return Some(Err(())),
        }
    }
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|&n| n > 255) {
        return Some(Err(()));
    }
    let room = 32 - 8 * leading.len() as u32;
    if u64::from(*last) >= 1u64 << room {
        return Some(Err(()));
    }
    let mut address = u64::from(*last);
    for (i, &n) in leading.iter().enumerate() {
        address += u64::from(n) << (24 - 8 * i as u32);
    }
    Some(u32::try_from(address).map(Ipv4Addr::from).map_err(|_| ()))
}

/// One part of a WHATWG IPv4 address: decimal, `0x` hexadecimal or `0` octal.
fn ipv4_number(part: &str) -> Option<u32> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x") {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    u32::from_str_radix(digits, radix).ok()
}
