//! Redaction: secrets and personal data in what the agent wrote become typed markers (`[REDACTED:email]`)
//! before the feedback is stored, logged or sent.
//!
//! The built-in rules are small hand-written scanners ([`tokens`], [`labelled`]), each linear in the text and
//! checked against the regular expression it stands for (`oracle_tests`); no regex engine is compiled into a
//! user's server. Matching is bounded: each field is cut to twice its cap before it is searched, and caps apply
//! after. Rules that need more than a shape (a card number must pass the Luhn check, an SSN must use assigned
//! number ranges) check each match before replacing it.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock};

use super::FeedbackPayload;
use super::caps::{ceil_char_boundary, floor_char_boundary};
use crate::contract::fields::{MAX_FIELD_BYTES, TRUNCATION_MARKER};
pub(crate) use hook::Filled;
use hook::Hook;
pub use hook::{Field, Report, Verdict};
use scan::Hit;

/// Longest secret the rules look for (tokens are at most 255 characters); what is dropped after a cut.
const MAX_SECRET_BYTES: usize = 512;

/// The marker's opening: `[REDACTED:<kind>]`.
pub(crate) const MARKER_PREFIX: &str = "[REDACTED:";

/// The rules that replace secrets and personal data in the agent's text with typed markers, before anything is
/// stored, logged or sent. [`Redaction::standard`] (the default) covers:
///
/// | kind | what |
/// |---|---|
/// | `private_key`, `jwt` | PEM private-key blocks (RSA, EC, OpenSSH, PGP), JSON Web Tokens |
/// | `github_token`, `gitlab_token`, `slack_token`, `npm_token`, `pypi_token`, `huggingface_token` | code-host, chat and package-registry tokens (GitHub classic and fine-grained; GitLab personal, deploy, runner, CI and OAuth; Slack `xox…`) |
/// | `openai_key`, `anthropic_key`, `ai_provider_key` | AI providers' keys (OpenAI and OpenRouter `sk-…`, Anthropic, Groq, xAI, Perplexity, Replicate, Fireworks) |
/// | `aws_access_key`, `aws_secret_key`, `gcp_api_key`, `google_oauth_token` | AWS key ids and secret keys next to their label, Google API keys and OAuth access and refresh tokens |
/// | `azure_storage_key`, `azure_sas`, `azure_client_secret` | Azure connection strings' `AccountKey`/`SharedAccessKey`, SAS signatures, Entra client secrets |
/// | `stripe_key`, `twilio_key`, `sendgrid_key`, `mailgun_key`, `telegram_bot_token`, `shopify_token`, `postman_key` | Stripe secret and restricted keys (live and test) and webhook secrets, Twilio SIDs, SendGrid and Mailgun keys, Telegram bot tokens, Shopify and Postman API keys |
/// | `vault_token`, `doppler_token`, `databricks_token`, `digitalocean_token` | HashiCorp Vault, Doppler, Databricks and DigitalOcean tokens |
/// | `webhook_url` | Slack, Discord and Microsoft Teams incoming-webhook URLs (the whole URL is the secret) |
/// | `url_credentials`, `basic_auth`, `bearer` | `user:password@` in URLs and connection strings, `Authorization: Basic` and bearer values |
/// | `password` | the value after a password-like name (`password=…`, `"passwd": "…"`, `DB_PASS: …`, `--password …`, `mysql -p…`, `curl -u user:…`, `the password is …`), unless it is a placeholder or a word |
/// | `generic_secret` | a random-looking value (≥ 10 chars, letters and digits, ≥ 3 bits of entropy a char) after another secret-like name (`token`, `secret`, `api_key`, `client_secret`, `X-Api-Key`, `private_token`, `credentials`, `--token …`) |
/// | `email`, `phone`, `ip_address`, `home_user` | personal data: e-mail addresses in any script, phone numbers (international, North American, or after a phone label), IPv4/IPv6 addresses of hosts, the user name in `/home/<name>`, `/Users/<name>`, `C:\Users\<name>` |
/// | `card_number`, `national_id`, `iban` | payment cards that pass the Luhn check (plain, or grouped by spaces, dashes or dots), US SSNs (dashed, spaced, or nine digits after an SSN label) and UK NI numbers, IBANs that pass their check |
///
/// The personal-data kinds ([`Redaction::PERSONAL_DATA`]) are on by default and each can be dropped by its kind.
/// Left as written: a label followed by prose or a placeholder (`my secret: nothing works`, `password: (none
/// set)`, `API_KEY=${API_KEY}`), version numbers, UUIDs, commit hashes and digests, timestamps and dates, part,
/// order and ticket numbers, numbers that fail their check, ordinary URLs and paths, loopback and unspecified
/// addresses, `git@host:org/repo` remotes, Stripe publishable keys and tool names. Not recognised at all: secrets
/// of no known shape written without a label (a random string alone in a sentence), names of people, postal
/// addresses and dates of birth.
///
/// Add your own rules or drop built-in ones:
///
/// ```
/// use patchwork_runtime::Redaction;
/// // Order ids: `ORD-` and eight digits.
/// let order_ids = |text: &str| {
///     text.match_indices("ORD-")
///         .map(|(at, _)| at..at + 12)
///         .filter(|span| text.get(span.start + 4..span.end).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit())))
///         .collect()
/// };
/// let rules = Redaction::standard()
///     .with_rule("order_id", order_ids)
///     .expect("a valid kind")
///     .without("national_id");
/// assert_eq!(rules.redact("order ORD-12345678 for a@b.example"), "order [REDACTED:order_id] for [REDACTED:email]");
/// ```
#[derive(Clone)]
pub struct Redaction {
    rules: Arc<Vec<Rule>>,
    /// The report hook ([`Redaction::with_report_hook`]), run before the rules.
    hook: Option<Hook>,
}

/// The marker kind of the server's own API key ([`Redaction::with_own_key`]).
pub(crate) const OWN_KEY_KIND: &str = "patchwork_api_key";

/// What a user's rule is: every span of the text to replace.
type CustomFind = dyn Fn(&str) -> Vec<Range<usize>> + Send + Sync;

#[derive(Clone)]
struct Rule {
    kind: Cow<'static, str>,
    find: Finder,
}

#[derive(Clone)]
enum Finder {
    Builtin(Find, Maybe),
    Custom(Arc<CustomFind>),
}

/// A rule's kind was refused by [`Redaction::with_rule`].
///
/// ```
/// use patchwork_runtime::Redaction;
/// let err = Redaction::standard().with_rule("Order IDs", |_: &str| Vec::new()).unwrap_err();
/// println!("{err}"); // says which kinds are accepted
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleError {
    message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

impl fmt::Debug for Redaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redaction")
            .field("kinds", &self.kinds())
            .field("report_hook", &self.hook.is_some())
            .finish()
    }
}

impl Default for Redaction {
    fn default() -> Self {
        Self::standard()
    }
}

/// A built-in rule: the first match at or after a byte offset.
type Find = fn(&str, usize) -> Option<Hit>;
/// A built-in rule's quick test: `false` when the text holds none of what every match needs, so it is not scanned.
type Maybe = fn(&scan::Probe<'_>) -> bool;

/// The rule of `VENDORS[$i]`: its kind (from the table, the one place that names it), scanner and quick test.
macro_rules! vendor {
    ($i:literal) => {
        (
            vendors::VENDORS[$i].kind,
            vendors::vendor::<$i>,
            vendors::vendor_maybe::<$i>,
        )
    };
}

/// The built-in rules, in the order they run (specific token shapes before the generic label rules).
const STANDARD: &[(&str, Find, Maybe)] = &[
    ("private_key", tokens::private_key, |t| t.has("-----BEGIN ")),
    ("jwt", tokens::jwt, |t| t.has("eyJ")),
    ("github_token", tokens::github_token, |t| {
        t.has("gh") || t.has("github_pat_")
    }),
    vendor!(0),
    ("slack_token", tokens::slack_token, |t| t.has("xox")),
    ("webhook_url", vendors::webhook_url, vendors::webhook_maybe),
    ("anthropic_key", tokens::anthropic_key, |t| t.has("sk-ant-")),
    ("openai_key", tokens::openai_key, |t| t.has("sk-")),
    vendor!(4),
    vendor!(3),
    vendor!(1),
    vendor!(2),
    vendor!(13),
    ("aws_secret_key", tokens::aws_paired_secret, |t| {
        ["AKIA", "ASIA"].iter().any(|p| t.contains(p))
    }),
    ("aws_access_key", tokens::aws_access_key, |t| {
        ["AKIA", "ASIA", "ABIA", "ACCA"]
            .iter()
            .any(|p| t.contains(p))
    }),
    ("aws_secret_key", tokens::aws_secret_key, |t| {
        t.contains_ci("aws")
    }),
    ("gcp_api_key", tokens::gcp_api_key, |t| t.has("AIza")),
    vendor!(5),
    ("azure_storage_key", vendors::azure_storage_key, |t| {
        t.contains_ci("accountkey=") || t.contains_ci("sharedaccesskey=")
    }),
    ("azure_sas", vendors::azure_sas, |t| t.has("sig=")),
    ("azure_client_secret", vendors::azure_client_secret, |t| {
        t.has("Q~")
    }),
    vendor!(14),
    vendor!(15),
    ("telegram_bot_token", vendors::telegram_bot_token, |t| {
        t.has(":AA")
    }),
    vendor!(6),
    vendor!(7),
    vendor!(8),
    ("mailgun_key", vendors::mailgun_private, |t| t.contains('-')),
    vendor!(9),
    vendor!(10),
    vendor!(11),
    vendor!(12),
    ("url_credentials", tokens::url_credentials, |t| t.has("://")),
    ("url_credentials", tokens::dsn_credentials, |t| {
        t.has("@tcp(") || t.has("@unix(") || t.has("@(")
    }),
    ("basic_auth", authorization::basic_auth, |t| {
        t.contains_ci("basic")
    }),
    ("bearer", authorization::bearer, |t| {
        t.contains_ci("bearer") || t.contains_ci("authorization")
    }),
    // A secret-like name's value (`DB_PASSWORD=…`, `"api_key": "…"`, `--token …`): any value of a password-like
    // name that is not a placeholder or a word; a random-looking value of any other.
    ("password", labelled::password, |t| {
        t.contains([':', '=', '-', '>', '(', ',', '\t', '：'])
    }),
    ("password", sentences::said_password, |t| {
        t.contains_ci("pass") || t.contains_ci("pw") || t.contains_ci("identified by")
    }),
    ("password", labelled::short_flag_password, |t| {
        t.has(" -p") || t.has(" -a")
    }),
    ("password", labelled::user_password, |t| {
        t.has("curl") && t.has(" -")
    }),
    ("generic_secret", labelled::generic_secret, |t| {
        t.contains([':', '=', '-', '>', '(', ',', '\t', '：'])
    }),
    ("password", sentences::foreign_password, |t| {
        !t.is_ascii()
            || [
                "passwort",
                "kennwort",
                "de passe",
                "contrasena",
                "haslo",
                "senha",
                "wachtwoord",
                "heslo",
                "salasana",
            ]
            .iter()
            .any(|w| t.contains_ci(w))
    }),
    ("generic_secret", sentences::foreign_secret, |t| {
        !t.is_ascii()
            || [
                "jeton",
                "clave ",
                "klucz",
                "chave ",
                "geheimnis",
                "secreto",
                "segreto",
                "sekret",
            ]
            .iter()
            .any(|w| t.contains_ci(w))
    }),
    ("generic_secret", sentences::said_secret, |t| {
        ["token", "key", "secret", "credential"]
            .iter()
            .any(|word| t.contains_ci(word))
    }),
    // A CSV table needs a header line and a row.
    ("password", tables::table_password, |t| {
        t.contains(['|', '\t']) || t.contains('\n') && t.contains(',')
    }),
    ("generic_secret", tables::table_generic, |t| {
        t.contains(['|', '\t']) || t.contains('\n') && t.contains(',')
    }),
    ("email", personal::email, |t| {
        t.contains('@') || t.has("%40")
    }),
    ("iban", personal::iban, |t| {
        t.bytes().any(|b| b.is_ascii_uppercase())
    }),
    ("card_number", personal::card_number, |t| {
        t.bytes().any(|b| (b'2'..=b'6').contains(&b))
    }),
    ("national_id", personal::national_id, |t| {
        t.bytes().any(|b| b.is_ascii_digit())
    }),
    ("ip_address", personal::ip_address, |t| {
        t.contains(['.', ':'])
    }),
    ("phone", personal::phone, |t| {
        t.bytes().any(|b| b.is_ascii_digit())
    }),
    ("home_user", personal::home_user, |t| {
        t.has("/home/") || t.has("Users") || t.contains('~')
    }),
];

static STANDARD_RULES: LazyLock<Redaction> = LazyLock::new(|| Redaction {
    hook: None,
    rules: Arc::new(
        STANDARD
            .iter()
            .map(|(kind, find, maybe)| Rule {
                kind: Cow::Borrowed(*kind),
                find: Finder::Builtin(*find, *maybe),
            })
            .collect(),
    ),
});

impl Redaction {
    /// The built-in rules that `keep` picks, in their order (for tests that check some rules alone).
    #[cfg(test)]
    fn standard_where(keep: impl Fn(&str, Find) -> bool) -> Self {
        Self {
            hook: None,
            rules: Arc::new(
                STANDARD
                    .iter()
                    .filter(|(kind, find, _)| keep(kind, *find))
                    .map(|(kind, find, maybe)| Rule {
                        kind: Cow::Borrowed(*kind),
                        find: Finder::Builtin(*find, *maybe),
                    })
                    .collect(),
            ),
        }
    }

    /// The built-in rules (see the table above). Cheap: compiled once per process.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// let rules = Redaction::standard();
    /// assert_eq!(rules.redact("write to amy@example.com"), "write to [REDACTED:email]");
    /// ```
    #[must_use]
    pub fn standard() -> Self {
        STANDARD_RULES.clone()
    }

    /// No rules at all: the agent's text is stored and sent as written. Add your own with
    /// [`with_rule`](Self::with_rule).
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// let tickets = |text: &str| text.match_indices("TCK-").map(|(at, _)| at..at + 9).collect();
    /// let only_tickets = Redaction::none().with_rule("ticket", tickets).expect("a valid kind");
    /// assert_eq!(only_tickets.redact("TCK-12345 from amy@example.com"), "[REDACTED:ticket] from amy@example.com");
    /// ```
    #[must_use]
    pub fn none() -> Self {
        Self {
            rules: Arc::new(Vec::new()),
            hook: None,
        }
    }

    /// Adds a rule: every span that `find` returns for a text becomes `[REDACTED:<kind>]`. `kind` is 1 to 40 of
    /// `a-z`, `0-9` and `_`. Rules run in the order they were added, after the built-in ones. Sloppy spans are
    /// read so that they redact more, never less: a reversed span is turned round, one past the end is cut at the
    /// end, one inside a char is widened to the whole char, overlapping spans are merged into one marker, empty
    /// ones are ignored. If `find` panics, the whole text is replaced (a rule that fails redacts rather than
    /// leaks); std's panic hook still prints the panic's message, which your code wrote and which may quote the
    /// text, so a rule should not panic.
    ///
    /// With the `regex` crate: `move |text| pattern.find_iter(text).map(|m| m.range()).collect()`.
    ///
    /// # Errors
    /// When `kind` is not of that form.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// // a closure over your own matcher: the byte ranges to replace
    /// let employee_ids = |text: &str| text.match_indices("EMP").map(|(at, _)| at..(at + 9).min(text.len())).collect();
    /// let rules = Redaction::standard().with_rule("employee_id", employee_ids).expect("a valid kind");
    /// assert_eq!(rules.redact("badge EMP004211"), "badge [REDACTED:employee_id]");
    /// ```
    pub fn with_rule<F>(mut self, kind: &str, find: F) -> Result<Self, RuleError>
    where
        F: Fn(&str) -> Vec<Range<usize>> + Send + Sync + 'static,
    {
        let valid_kind = (1..=40).contains(&kind.len())
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_kind {
            return Err(RuleError {
                message: format!("redaction kind {kind:?}: use 1 to 40 of a-z, 0-9 and _"),
            });
        }
        Arc::make_mut(&mut self.rules).push(Rule {
            kind: Cow::Owned(kind.to_string()),
            find: Finder::Custom(Arc::new(find)),
        });
        Ok(self)
    }

    /// These rules with the server's own API key redacted before any other rule runs, whatever the rules are
    /// (`Redaction::none()` included): an agent that pastes the key into feedback never sends, stores or logs it.
    /// Every occurrence (ASCII case ignored) of a key of 8 bytes or more; a shorter key only where it stands as a whole word, so a
    /// test key such as `k` does not eat letters. The marker is `[REDACTED:patchwork_api_key]`.
    #[must_use]
    pub(crate) fn with_own_key(mut self, key: &str) -> Self {
        let key = key.to_owned();
        if key.is_empty() {
            return self;
        }
        // ASCII case ignored: an agent that upper-cases the key (`TEST-KEY-123`) still pastes it.
        let lower_key = key.to_ascii_lowercase();
        let find = move |text: &str| -> Vec<Range<usize>> {
            text.to_ascii_lowercase()
                .match_indices(lower_key.as_str())
                .map(|(at, _)| at..at + key.len())
                .filter(|span| {
                    key.len() >= 8
                        || (!text[..span.start]
                            .ends_with(|c: char| c.is_alphanumeric() || c == '_')
                            && !text[span.end..]
                                .starts_with(|c: char| c.is_alphanumeric() || c == '_'))
                })
                .collect()
        };
        Arc::make_mut(&mut self.rules).insert(
            0,
            Rule {
                kind: Cow::Borrowed(OWN_KEY_KIND),
                find: Finder::Custom(Arc::new(find)),
            },
        );
        self
    }

    /// Drops every rule of `kind` (built-in or added). [`kinds`](Self::kinds) lists the kinds there are.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// let rules = Redaction::standard().without("ip_address"); // addresses are what this server is about
    /// assert_eq!(rules.redact("ping 203.0.113.7 failed"), "ping 203.0.113.7 failed");
    /// ```
    #[must_use]
    pub fn without(mut self, kind: &str) -> Self {
        Arc::make_mut(&mut self.rules).retain(|rule| rule.kind != kind);
        self
    }

    /// The kinds of personal data among the built-in rules: on by default, each dropped by its kind with
    /// [`without`](Self::without), or all with [`without_personal_data`](Self::without_personal_data).
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// assert!(Redaction::PERSONAL_DATA.contains(&"email"));
    /// let rules = Redaction::standard();
    /// assert!(Redaction::PERSONAL_DATA.iter().all(|kind| rules.kinds().contains(kind))); // on by default
    /// ```
    pub const PERSONAL_DATA: &'static [&'static str] = &[
        "email",
        "phone",
        "ip_address",
        "home_user",
        "card_number",
        "national_id",
        "iban",
    ];

    /// These rules without the personal-data ones ([`PERSONAL_DATA`](Self::PERSONAL_DATA)): secrets only.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// let secrets_only = Redaction::standard().without_personal_data();
    /// assert_eq!(secrets_only.redact("amy@example.com, +44 20 7946 0958"), "amy@example.com, +44 20 7946 0958");
    /// ```
    #[must_use]
    pub fn without_personal_data(self) -> Self {
        Self::PERSONAL_DATA
            .iter()
            .fold(self, |rules, kind| rules.without(kind))
    }

    /// The kinds these rules replace, in the order they run, each once.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// let rules = Redaction::standard().without("phone");
    /// assert!(rules.kinds().contains(&"email") && !rules.kinds().contains(&"phone"));
    /// ```
    #[must_use]
    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = Vec::with_capacity(self.rules.len());
        for rule in self.rules.iter() {
            if !kinds.contains(&rule.kind.as_ref()) {
                kinds.push(&rule.kind);
            }
        }
        kinds
    }

    /// `text` with every match replaced by its marker.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// let text = Redaction::standard().redact("token ghp_1234567890abcdefghijklmnopqrstuvwxyzAB works");
    /// assert_eq!(text, "token [REDACTED:github_token] works");
    /// ```
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        self.redact_tracking(text, None)
    }

    /// `text` redacted, and (for the test kit's scoring) each marker's kind and the span of `text` it replaced.
    #[cfg(feature = "test-util")]
    pub(crate) fn redact_with_spans(&self, text: &str) -> (String, Vec<(String, Range<usize>)>) {
        let mut markers = Vec::new();
        let out = self.redact_tracking(text, Some(&mut markers));
        let spans = markers
            .into_iter()
            .map(|marker| (marker.kind, marker.original))
            .collect();
        (out, spans)
    }

    /// The one redaction loop: each rule in turn over the text the rules before it left. With `markers`, it also
    /// keeps where each marker stands in the output and which span of the input it replaced.
    fn redact_tracking(&self, text: &str, mut markers: Option<&mut Vec<Placed>>) -> String {
        let mut out = Cow::Borrowed(text);
        // What the rules' quick tests compute (the lowercase text, its byte pairs), once for each version of the text.
        let mut memo = scan::Memo::default();
        for rule in self.rules.iter() {
            let spans: Vec<Range<usize>> = rule
                .hits(&scan::Probe::new(&out, &memo))
                .into_iter()
                .filter_map(|hit| hit.redact)
                .collect();
            if spans.is_empty() {
                continue;
            }
            let marker = format!("{MARKER_PREFIX}{}]", rule.kind);
            if let Some(markers) = markers.as_deref_mut() {
                Placed::replace(markers, &spans, &rule.kind, marker.len());
            }
            let mut replaced = String::with_capacity(out.len());
            let mut kept_from = 0;
            for span in spans {
                replaced.push_str(&out[kept_from..span.start]);
                replaced.push_str(&marker);
                kept_from = span.end;
            }
            replaced.push_str(&out[kept_from..]);
            out = Cow::Owned(replaced);
            memo = scan::Memo::default();
        }
        out.into_owned()
    }

    /// Adds a report hook: your code sees each report before anything is stored, logged or sent, and may
    /// [withhold](Verdict::Withhold) it or [strip](Report::strip) what the agent wrote in a field. It runs before
    /// the rules, on the agent's text as written, so whatever it keeps is still redacted. The fields the server
    /// filled (its slug; the client's declared name, the tools it offers and the transport's session id) can be
    /// read but not stripped, and the rules leave them as they are. A withheld report is answered "not recorded",
    /// never "recorded". If the hook panics, the report is withheld (a hook that fails keeps the text private).
    /// A second call replaces the first hook.
    ///
    /// ```
    /// use patchwork_runtime::{Field, Redaction, Report, Verdict};
    /// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
    ///     report.strip(Field::UserGoal);
    ///     Verdict::Keep
    /// });
    /// # let _ = rules;
    /// ```
    #[must_use]
    pub fn with_report_hook<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut Report<'_>) -> Verdict + Send + Sync + 'static,
    {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The report hook on `payload`, if there is one: its verdict ([`Verdict::Withhold`] if it panicked).
    pub(crate) fn run_hook(&self, payload: &mut FeedbackPayload, filled: Filled) -> Verdict {
        if let Some(hook) = &self.hook {
            let verdict =
                catch_unwind(AssertUnwindSafe(|| hook(&mut Report::new(payload, filled))));
            match verdict {
                Ok(Verdict::Keep) => {}
                Ok(_) => return Verdict::Withhold,
                Err(_) => {
                    tracing::error!("the report hook panicked; the report was withheld");
                    return Verdict::Withhold;
                }
            }
        }
        Verdict::Keep
    }

    /// The rules on every string the agent wrote (all but the slug and what the server `filled`), each bounded to
    /// twice its cap before it is searched.
    pub(crate) fn apply(&self, payload: &mut FeedbackPayload, filled: Filled) {
        if self.rules.is_empty() {
            return;
        }
        let FeedbackPayload {
            server_slug: _,
            what_i_needed,
            what_i_tried,
            gap_type: _,
            suggestion,
            user_goal,
            resolution: _,
            agent_model,
            session_id,
            client_type,
            tools_available,
        } = payload;
        let mut texts = vec![
            what_i_needed,
            what_i_tried,
            suggestion,
            user_goal,
            agent_model,
        ];
        if !filled.session_id {
            texts.push(session_id);
        }
        if !filled.client_type {
            texts.push(client_type);
        }
        let tools: &mut [String] = if filled.tools_available {
            &mut []
        } else {
            tools_available
        };
        for field in texts.into_iter().chain(tools.iter_mut()) {
            let bound = floor_char_boundary(field, 2 * MAX_FIELD_BYTES);
            let cut = bound < field.len();
            field.truncate(bound);
            *field = self.redact(field);
            if cut {
                // The cut may have split a secret, whose first part no rule recognises: drop the last word too
                // (at most the longest secret's length), and mark the text as cut.
                let word_start = field.trim_end_matches(|c: char| !c.is_whitespace()).len();
                let kept = word_start.max(floor_char_boundary(
                    field,
                    field.len().saturating_sub(MAX_SECRET_BYTES),
                ));
                field.truncate(kept);
                field.push_str(TRUNCATION_MARKER);
            }
        }
    }
}

impl Rule {
    /// The rule's matches in `text`, left to right, without overlaps, each on char boundaries.
    fn hits(&self, probe: &scan::Probe<'_>) -> Vec<Hit> {
        let text = probe.text();
        match &self.find {
            Finder::Builtin(find, maybe) if maybe(probe) => scan::all(text, find),
            Finder::Builtin(..) => Vec::new(),
            Finder::Custom(find) => {
                let Ok(mut spans) = catch_unwind(AssertUnwindSafe(|| find(text))) else {
                    tracing::warn!(kind = %self.kind, "a redaction rule panicked; the whole text was redacted");
                    return vec![Hit::whole(0..text.len())];
                };
                // Sloppy spans redact more, never less: turned round, cut at the end, widened to whole chars.
                for span in &mut spans {
                    let (low, high) = (span.start.min(span.end), span.start.max(span.end));
                    *span = floor_char_boundary(text, low)..ceil_char_boundary(text, high);
                }
                spans.sort_by_key(|span| (span.start, span.end));
                let mut hits: Vec<Hit> = Vec::with_capacity(spans.len());
                for span in spans.into_iter().filter(|span| !span.is_empty()) {
                    match hits.last_mut() {
                        Some(last) if span.start < last.span.end => {
                            last.span.end = last.span.end.max(span.end);
                            last.redact = Some(last.span.clone());
                        }
                        _ => hits.push(Hit::whole(span)),
                    }
                }
                hits
            }
        }
    }
}

/// A marker in the redacted text: where it stands there, and the span of the original text it replaced.
struct Placed {
    #[cfg_attr(not(feature = "test-util"), allow(dead_code))]
    kind: String,
    output: Range<usize>,
    original: Range<usize>,
}

impl Placed {
    /// The span of the original text that position `at` of the current output stands for: a position inside a
    /// marker stands for the marker's start (`start`) or end.
    fn original_at(markers: &[Self], at: usize, start: bool) -> usize {
        let mut shift = 0isize;
        for marker in markers {
            if marker.output.end <= at {
                shift += marker.original.len().cast_signed() - marker.output.len().cast_signed();
            } else if marker.output.start < at {
                return if start {
                    marker.original.start
                } else {
                    marker.original.end
                };
            }
        }
        at.saturating_add_signed(shift)
    }

    /// `markers` after `spans` of the current output are each replaced by a marker of `length` bytes.
    fn replace(markers: &mut Vec<Self>, spans: &[Range<usize>], kind: &str, length: usize) {
        let mut placed: Vec<Self> = spans
            .iter()
            .map(|span| Self {
                kind: kind.to_owned(),
                output: span.clone(),
                original: Self::original_at(markers, span.start, true)
                    ..Self::original_at(markers, span.end, false),
            })
            .collect();
        markers.retain(|m| {
            !spans
                .iter()
                .any(|s| s.start < m.output.end && m.output.start < s.end)
        });
        markers.append(&mut placed);
        markers.sort_by_key(|m| m.output.start);
        // Where each marker now stands: shifted by what the new markers before it changed.
        let mut shift = 0isize;
        for marker in markers.iter_mut() {
            let start = marker.output.start.saturating_add_signed(shift);
            if spans.contains(&marker.output) {
                shift += length.cast_signed() - marker.output.len().cast_signed();
                marker.output = start..start + length;
            } else {
                marker.output = start..start + marker.output.len();
            }
        }
    }
}

/// How many markers of each kind `body` holds, as `kind=count` pairs in first-seen order (for the
/// `Patchwork-Redactions` header); empty when there are none. Never the redacted text.
pub(crate) fn counts(body: &str) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for (at, _) in body.match_indices(MARKER_PREFIX) {
        let rest = &body[at + MARKER_PREFIX.len()..];
        let Some(end) = rest.find(']') else { continue };
        let kind = &rest[..end];
        if kind.is_empty()
            || kind.len() > 40
            || !kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            continue;
        }
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((kind, 1)),
        }
    }
    kinds
        .iter()
        .map(|(kind, n)| format!("{kind}={n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

mod authorization;
mod checks;
mod hook;
mod judge;
mod labelled;
#[cfg(test)]
mod oracle_tests;
mod personal;
mod scan;
mod sentences;
mod tables;
#[cfg(test)]
mod tests;
mod tokens;
mod vendors;
mod words;
