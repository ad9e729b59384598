//! Vendors' tokens known by a fixed prefix and a body of a known alphabet and length (GitLab, npm, PyPI, Hugging
//! Face, AI providers, Google OAuth, Twilio, SendGrid, Mailgun, Vault, Doppler, Databricks, DigitalOcean, Stripe,
//! Azure), and the webhook URLs that are secrets by themselves (Slack, Discord, Teams). One table, [`VENDORS`]:
//! a kind is a list of shapes, and [`vendor`] finds the leftmost shape of one kind. Each candidate reads a bounded
//! distance ahead (a body's maximum), so every scan is linear in the text.

use super::checks::filler;
use super::scan::{
    Hit, byte, has, has_ci, leftmost, run, run_back, run_upto, word_at, word_before,
};
use super::tokens::alnum;

/// `[A-Za-z0-9_-]`
fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `[0-9a-f]`
fn hex_lower(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// `[0-9A-Fa-f]`
fn hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// `[A-Za-z0-9._-]` (GitLab's routable tokens and Doppler's service tokens hold dots).
fn dotted(b: u8) -> bool {
    url_safe(b) || b == b'.'
}

/// One token shape: `prefix`, then `min..=max` bytes of `class`, then (if any) `then`'s shape right after. A shape
/// whose body stops at `max` while the class goes on is not this token (a longer run is something else).
pub(super) struct Shape {
    prefix: &'static str,
    class: fn(u8) -> bool,
    min: usize,
    max: usize,
    then: Option<&'static Shape>,
}

const fn shape(prefix: &'static str, class: fn(u8) -> bool, min: usize, max: usize) -> Shape {
    Shape {
        prefix,
        class,
        min,
        max,
        then: None,
    }
}

/// A kind's shapes, and the literal every one of them holds (the rule's quick test).
pub(super) struct Vendor {
    /// The marker's kind.
    pub(super) kind: &'static str,
    /// An optional `-<digit>` may follow the body (Databricks' numbered tokens).
    numbered: bool,
    pub(super) shapes: &'static [Shape],
}

const SENDGRID_TAIL: Shape = shape(".", url_safe, 43, 43);
const POSTMAN_TAIL: Shape = shape("-", hex, 34, 34);

/// The vendors' shapes, by kind. Index into it with [`vendor`]'s const parameter, in the order below.
pub(super) const VENDORS: &[Vendor] = &[
    // 0: gitlab_token: personal, deploy, trigger, runner, CI job, SCIM, feed, incoming-mail, OAuth and agent
    // tokens, and runner registration tokens.
    Vendor {
        kind: "gitlab_token",
        numbered: false,
        shapes: &[
            shape("glpat-", dotted, 20, 300),
            shape("gldt-", dotted, 20, 300),
            shape("glptt-", dotted, 20, 300),
            shape("glrt-", dotted, 20, 300),
            shape("glcbt-", dotted, 20, 300),
            shape("glsoat-", dotted, 20, 300),
            shape("glft-", dotted, 20, 300),
            shape("glimt-", dotted, 20, 300),
            shape("gloas-", dotted, 20, 300),
            shape("glagent-", dotted, 20, 300),
            shape("GR1348941", url_safe, 20, 300),
        ],
    },
    // 1: npm_token
    Vendor {
        kind: "npm_token",
        numbered: false,
        shapes: &[shape("npm_", alnum, 36, 36)],
    },
    // 2: pypi_token (PyPI and TestPyPI macaroons)
    Vendor {
        kind: "pypi_token",
        numbered: false,
        shapes: &[
            shape("pypi-AgEIcHlwaS5vcmc", url_safe, 50, 1000),
            shape("pypi-AgENdGVzdC5weXBpLm9yZw", url_safe, 50, 1000),
        ],
    },
    // 3: huggingface_token
    Vendor {
        kind: "huggingface_token",
        numbered: false,
        shapes: &[
            shape("hf_", alnum, 30, 40),
            shape("api_org_", alnum, 30, 40),
        ],
    },
    // 4: ai_provider_key: Groq, xAI, Perplexity, Replicate, Fireworks, DeepInfra-style prefixes.
    Vendor {
        kind: "ai_provider_key",
        numbered: false,
        shapes: &[
            shape("gsk_", alnum, 40, 64),
            shape("xai-", alnum, 60, 100),
            shape("pplx-", alnum, 40, 64),
            shape("r8_", alnum, 30, 45),
            shape("fw_", alnum, 20, 40),
        ],
    },
    // 5: google_oauth_token: access tokens, and refresh tokens (`1//0…`).
    Vendor {
        kind: "google_oauth_token",
        numbered: false,
        shapes: &[
            shape("ya29.", url_safe, 20, 2048),
            shape("1//0", url_safe, 30, 512),
        ],
    },
    // 6: twilio_key: API key SIDs and account SIDs.
    Vendor {
        kind: "twilio_key",
        numbered: false,
        shapes: &[shape("SK", hex, 32, 32), shape("AC", hex, 32, 32)],
    },
    // 7: sendgrid_key
    Vendor {
        kind: "sendgrid_key",
        numbered: false,
        shapes: &[Shape {
            prefix: "SG.",
            class: url_safe,
            min: 22,
            max: 22,
            then: Some(&SENDGRID_TAIL),
        }],
    },
    // 8: mailgun_key (the unprefixed `<32 hex>-<8 hex>-<8 hex>` form is [`mailgun_private`]).
    Vendor {
        kind: "mailgun_key",
        numbered: false,
        shapes: &[
            shape("key-", hex_lower, 32, 32),
            shape("pubkey-", hex_lower, 32, 32),
        ],
    },
    // 9: vault_token: service, batch and recovery tokens.
    Vendor {
        kind: "vault_token",
        numbered: false,
        shapes: &[
            shape("hvs.", url_safe, 24, 512),
            shape("hvb.", url_safe, 24, 512),
            shape("hvr.", url_safe, 24, 512),
        ],
    },
    // 10: doppler_token: personal, service, CLI, service-account, SCIM and audit tokens.
    Vendor {
        kind: "doppler_token",
        numbered: false,
        shapes: &[
            shape("dp.pt.", alnum, 40, 48),
            shape("dp.st.", dotted, 40, 120),
            shape("dp.ct.", alnum, 40, 48),
            shape("dp.sa.", alnum, 40, 48),
            shape("dp.scim.", alnum, 40, 48),
            shape("dp.audit.", alnum, 40, 48),
        ],
    },
    // 11: databricks_token
    Vendor {
        kind: "databricks_token",
        numbered: true,
        shapes: &[
            shape("dapi", hex_lower, 32, 32),
            shape("dose", hex_lower, 32, 32),
        ],
    },
    // 12: digitalocean_token: personal, OAuth and refresh tokens.
    Vendor {
        kind: "digitalocean_token",
        numbered: false,
        shapes: &[
            shape("dop_v1_", hex_lower, 64, 64),
            shape("doo_v1_", hex_lower, 64, 64),
            shape("dor_v1_", hex_lower, 64, 64),
        ],
    },
    // 13: stripe_key: secret and restricted keys, live and test, and webhook signing secrets.
    Vendor {
        kind: "stripe_key",
        numbered: false,
        shapes: &[
            shape("sk_live_", alnum, 16, 255),
            shape("sk_test_", alnum, 16, 255),
            shape("sk_prod_", alnum, 16, 255),
            shape("rk_live_", alnum, 16, 255),
            shape("rk_test_", alnum, 16, 255),
            shape("rk_prod_", alnum, 16, 255),
            shape("whsec_", alnum, 24, 255),
        ],
    },
    // 14: shopify_token: Admin API, custom-app, private-app and shared-secret tokens.
    Vendor {
        kind: "shopify_token",
        numbered: false,
        shapes: &[
            shape("shpat_", hex, 32, 32),
            shape("shpca_", hex, 32, 32),
            shape("shppa_", hex, 32, 32),
            shape("shpss_", hex, 32, 32),
        ],
    },
    // 15: postman_key
    Vendor {
        kind: "postman_key",
        numbered: false,
        shapes: &[Shape {
            prefix: "PMAK-",
            class: hex,
            min: 24,
            max: 24,
            then: Some(&POSTMAN_TAIL),
        }],
    },
];

/// The end of `shape` read at `at` (its prefix first), if it is there whole.
fn shape_end(text: &str, at: usize, shape: &Shape) -> Option<usize> {
    if !has(text, at, shape.prefix) {
        return None;
    }
    let body = at + shape.prefix.len();
    let end = run_upto(text, body, shape.max, shape.class);
    if end - body < shape.min || byte(text, end).is_some_and(shape.class) {
        return None;
    }
    match shape.then {
        Some(next) => shape_end(text, end, next),
        None => Some(end),
    }
}

/// The leftmost token of `VENDORS[I]` at or after `from`. A token starts at a word boundary and does not run into
/// a word character (a trailing `.` of a dotted body is the sentence's, not the token's).
pub(super) fn vendor<const I: usize>(text: &str, from: usize) -> Option<Hit> {
    let shapes = VENDORS[I].shapes;
    leftmost(
        text,
        from,
        |b| shapes.iter().any(|s| s.prefix.as_bytes()[0] == b),
        |at| {
            if word_before(text, at) {
                return None;
            }
            shapes.iter().find_map(|shape| {
                let mut end = shape_end(text, at, shape)?;
                while end > at + shape.prefix.len() && byte(text, end - 1) == Some(b'.') {
                    end -= 1;
                }
                if VENDORS[I].numbered
                    && byte(text, end) == Some(b'-')
                    && byte(text, end + 1).is_some_and(|b| b.is_ascii_digit())
                {
                    end += 2;
                }
                if word_at(text, end) && byte(text, end) != Some(b'_') {
                    return None;
                }
                (end - (at + shape.prefix.len()) >= shape.min)
                    .then(|| Hit::checked(at..end, !filler(&text[at..end])))
            })
        },
    )
}

/// The quick test of `VENDORS[I]`: whether any of its prefixes is in the text.
pub(super) fn vendor_maybe<const I: usize>(text: &super::scan::Probe<'_>) -> bool {
    VENDORS[I].shapes.iter().any(|s| text.has(s.prefix))
}

/// Mailgun's private API keys: `\b[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}\b`.
pub(super) fn mailgun_private(text: &str, from: usize) -> Option<Hit> {
    leftmost(text, from, hex_lower, |at| {
        if word_before(text, at) {
            return None;
        }
        let a = run_upto(text, at, 33, hex_lower);
        if a - at != 32 || byte(text, a) != Some(b'-') {
            return None;
        }
        let b = run_upto(text, a + 1, 9, hex_lower);
        if b - (a + 1) != 8 || byte(text, b) != Some(b'-') {
            return None;
        }
        let c = run_upto(text, b + 1, 9, hex_lower);
        (c - (b + 1) == 8 && !word_at(text, c) && byte(text, c) != Some(b'-'))
            .then(|| Hit::whole(at..c))
    })
}

/// Azure AD client secrets: `[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}`, found from their `Q~`.
pub(super) fn azure_client_secret(text: &str, from: usize) -> Option<Hit> {
    let head = |b: u8| alnum(b) || matches!(b, b'_' | b'~' | b'.');
    let body = |b: u8| head(b) || b == b'-';
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find("Q~") {
        let q = search + offset;
        search = q + 1;
        if q < from + 4 || !byte(text, q - 1).is_some_and(|b| b.is_ascii_digit()) {
            continue;
        }
        let start = q - 4;
        if !(start..q - 1).all(|p| byte(text, p).is_some_and(head))
            || byte(text, start.wrapping_sub(1)).is_some_and(body) && start > 0
        {
            continue;
        }
        let end = run_upto(text, q + 2, 35, body);
        if (31..=34).contains(&(end - (q + 2))) {
            return Some(Hit::whole(start..end));
        }
    }
    None
}

/// The base64 value of `AccountKey=` or `SharedAccessKey=` in an Azure connection string (the value only).
pub(super) fn azure_storage_key(text: &str, from: usize) -> Option<Hit> {
    let b64 = |b: u8| alnum(b) || matches!(b, b'+' | b'/');
    leftmost(
        text,
        from,
        |b| matches!(b | 0x20, b'a' | b's'),
        |at| {
            let label = ["AccountKey=", "SharedAccessKey="]
                .into_iter()
                .find(|label| has_ci(text, at, label))?;
            if word_before(text, at) {
                return None;
            }
            let value = at + label.len();
            let end = run(text, value, b64);
            let end = run_upto(text, end, 2, |b| b == b'=');
            (end - value >= 20).then_some(Hit {
                span: at..end,
                redact: Some(value..end),
            })
        },
    )
}

/// The `sig=` of an Azure shared access signature (in a URL's query or a `SharedAccessSignature=` string): the value
/// only, when the text around it is a SAS (`sv=`, `se=` or `sr=` beside it).
pub(super) fn azure_sas(text: &str, from: usize) -> Option<Hit> {
    let value_byte = |b: u8| alnum(b) || matches!(b, b'%' | b'+' | b'/' | b'=');
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find("sig=") {
        let at = search + offset;
        search = at + 1;
        if !matches!(
            byte(text, at.wrapping_sub(1)),
            Some(b'&' | b'?' | b';' | b' ' | b'"' | b'\'')
        ) && at != 0
        {
            continue;
        }
        let value = at + 4;
        let end = run_upto(text, value, 256, value_byte);
        if end - value < 30 {
            continue;
        }
        // A SAS's other fields sit within the URL or string around the signature.
        let window_start = run_back(text, at, at.saturating_sub(512), |b| {
            !b.is_ascii_whitespace()
        });
        let window_end = run_upto(text, end, 512, |b| !b.is_ascii_whitespace());
        let window = &text[window_start..window_end];
        if ["sv=", "se=", "sr=", "sp="]
            .iter()
            .any(|f| window.contains(f))
        {
            return Some(Hit {
                span: at..end,
                redact: Some(value..end),
            });
        }
        // No SAS around this signature: none around the others in the same run either.
        search = search.max(window_end);
    }
    None
}

/// Where a webhook's URL marker is found, and how far before it the URL may start.
const WEBHOOKS: &[&str] = &[
    "hooks.slack.com/services/",
    "hooks.slack.com/workflows/",
    "hooks.slack.com/triggers/",
    "discord.com/api/webhooks/",
    "discordapp.com/api/webhooks/",
    ".webhook.office.com/webhookb2/",
    ".webhook.office.com/webhook/",
];

/// Slack, Discord and Microsoft Teams incoming-webhook URLs: anyone holding one can post, so the whole URL is the
/// secret (from its scheme, or its host if written without one, to the end of its path).
pub(super) fn webhook_url(text: &str, from: usize) -> Option<Hit> {
    let host = |b: u8| alnum(b) || matches!(b, b'.' | b'-');
    let path = |b: u8| alnum(b) || matches!(b, b'/' | b'_' | b'-' | b'@' | b'.' | b'=' | b'%');
    leftmost(
        text,
        from,
        |b| matches!(b, b'h' | b'd' | b'.'),
        |at| {
            let marker = WEBHOOKS.iter().find(|m| has(text, at, m))?;
            // The host's start: back over the tenant's name (Teams) and a `www.`/`ptb.` subdomain.
            let host_start = run_back(text, at, at.saturating_sub(128), host);
            let start = if host_start >= 8 && has(text, host_start - 8, "https://") {
                host_start - 8
            } else if host_start >= 7 && has(text, host_start - 7, "http://") {
                host_start - 7
            } else {
                host_start
            };
            if word_before(text, start) {
                return None;
            }
            let body = at + marker.len();
            let mut end = run_upto(text, body, 1024, path);
            while end > body && matches!(byte(text, end - 1), Some(b'.' | b'/')) {
                end -= 1;
            }
            (end - body >= 8).then(|| Hit::whole(start..end))
        },
    )
}

/// The quick test of [`webhook_url`].
pub(super) fn webhook_maybe(text: &super::scan::Probe<'_>) -> bool {
    text.has("hooks.slack.com/") || text.has("/api/webhooks/") || text.has(".webhook.office.com/")
}

/// Telegram bot tokens: `\d{8,10}:AA[A-Za-z0-9_-]{33}` (the bot's id, then its secret), as in
/// `https://api.telegram.org/bot<token>/getUpdates`.
pub(super) fn telegram_bot_token(text: &str, from: usize) -> Option<Hit> {
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find(":AA") {
        let colon = search + offset;
        search = colon + 1;
        let start = run_back(text, colon, from.max(colon.saturating_sub(11)), |b| {
            b.is_ascii_digit()
        });
        let id = colon - start;
        // The id follows a word boundary or `bot` (in the API's URLs).
        let after_bot = start >= 3 && text[..start].ends_with("bot");
        if !(8..=10).contains(&id) || (!after_bot && word_before(text, start)) {
            continue;
        }
        let end = run_upto(text, colon + 3, 34, url_safe);
        if end - (colon + 3) == 33 && !word_at(text, end) && byte(text, end) != Some(b'-') {
            return Some(Hit::whole(start..end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::VENDORS;
    use crate::Redaction;

    /// A token of `shape` (and its tail): the prefix, then its minimum of `a1b2…` (valid in every body class).
    fn sample(shape: &super::Shape) -> String {
        let body: String = "a1b2c3d4e5f6".chars().cycle().take(shape.min).collect();
        let tail = shape.then.map(sample).unwrap_or_default();
        format!("{}{body}{tail}", shape.prefix)
    }

    #[test]
    fn every_shape_of_the_table_is_redacted_as_its_vendor_s_kind() {
        let rules = Redaction::standard();
        for vendor in VENDORS {
            for shape in vendor.shapes {
                let token = sample(shape);
                assert_eq!(
                    rules.redact(&format!("used {token} here")),
                    format!("used [REDACTED:{}] here", vendor.kind),
                    "{token}"
                );
            }
        }
    }
}
