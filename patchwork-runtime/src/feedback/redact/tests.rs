//! Golden vectors for every kind, false-positive vectors that must stay intact, and the payload-level rules.

use super::*;

/// (kind, input, expected output): each built-in kind, in the forms agents paste.
pub(super) const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "aws_access_key",
        "key AKIAIOSFODNN7EXAMPLE in the config",
        "key [REDACTED:aws_access_key] in the config",
    ),
    (
        "aws_secret_key",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key = [REDACTED:aws_secret_key]",
    ),
    (
        "gcp_api_key",
        "maps key AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI failed",
        "maps key [REDACTED:gcp_api_key] failed",
    ),
    (
        "github_token",
        "used ghp_1234567890abcdefghijABCDEFGHIJ123456 to clone",
        "used [REDACTED:github_token] to clone",
    ),
    (
        "github_token",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV works",
        "[REDACTED:github_token] works",
    ),
    (
        "slack_token",
        "bot token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "bot token [REDACTED:slack_token]",
    ),
    (
        "openai_key",
        "OPENAI key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789 was rejected",
        "OPENAI key [REDACTED:openai_key] was rejected",
    ),
    (
        "anthropic_key",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFG",
        "[REDACTED:anthropic_key]",
    ),
    (
        "stripe_key",
        "charged with sk_live_51H8abcdefghijklmnopqrstu",
        "charged with [REDACTED:stripe_key]",
    ),
    (
        "jwt",
        "header eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
        "header [REDACTED:jwt] end",
    ),
    (
        "private_key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabc==\n-----END RSA PRIVATE KEY----- done",
        "[REDACTED:private_key] done",
    ),
    (
        "private_key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA (cut off",
        "[REDACTED:private_key]",
    ),
    (
        "url_credentials",
        "postgres://admin:hunter2@db.internal:5432/orders refused",
        "postgres://[REDACTED:url_credentials]@db.internal:5432/orders refused",
    ),
    (
        "bearer",
        "Authorization: Bearer abcdef0123456789ghijkl",
        "Authorization: Bearer [REDACTED:bearer]",
    ),
    (
        "bearer",
        "sent bearer 0123456789abcdefXYZ and got 401",
        "sent bearer [REDACTED:bearer] and got 401",
    ),
    (
        "password",
        "login with password=Sup3r-S3cret! failed",
        "login with password=[REDACTED:password] failed",
    ),
    (
        "password",
        r#"{"user": "amy", "password": "hunter2"}"#,
        r#"{"user": "amy", "password": "[REDACTED:password]"}"#,
    ),
    // A `,`, `;` or `&` inside a bare value does not cut it (no tail is left)...
    (
        "password",
        "password=hunter2&x;y,z then it failed",
        "password=[REDACTED:password] then it failed",
    ),
    (
        "password",
        "tried pwd=ab;cd&ef,gh",
        "tried pwd=[REDACTED:password]",
    ),
    // ...while one followed by the next pair, a space or the end ends it.
    (
        "password",
        "GET /login?password=s3cr3t&user=amy&next=/home",
        "GET /login?password=[REDACTED:password]&user=amy&next=/home",
    ),
    (
        "password",
        "password: p4ss;q, then I retried; secret=abc; done",
        "password: [REDACTED:password], then I retried; secret=[REDACTED:password]; done",
    ),
    (
        "password",
        "DB_PASSWORD=hunter2 and X-Api-Key: abc123def456",
        "DB_PASSWORD=[REDACTED:password] and X-Api-Key: [REDACTED:password]",
    ),
    (
        "password",
        "password='hunter2' then {\"password\": \"correct horse battery staple\"}",
        "password='[REDACTED:password]' then {\"password\": \"[REDACTED:password]\"}",
    ),
    (
        "private_key",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----",
        "[REDACTED:private_key]",
    ),
    (
        "email",
        "write to jane.doe+mcp@example.co.uk about it",
        "write to [REDACTED:email] about it",
    ),
    (
        "card_number",
        "card 4111 1111 1111 1111 was declined",
        "card [REDACTED:card_number] was declined",
    ),
    (
        "card_number",
        "pan 5500-0000-0000-0004",
        "pan [REDACTED:card_number]",
    ),
    (
        "national_id",
        "SSN 123-45-6789 on file",
        "SSN [REDACTED:national_id] on file",
    ),
    (
        "national_id",
        "NI number AB 12 34 56 C",
        "NI number [REDACTED:national_id]",
    ),
];

/// Text that only looks like a secret or personal data: it must stay exactly as written.
pub(super) const INTACT: &[&str] = &[
    "upgraded from 1.2.3 to 2.0.0-rc.1 (semver 10.11.12)",
    "order 1234567812345678 was not found", // 16 digits that fail the Luhn check
    "order number 4111-1111-1111-1112",     // a card shape that fails the Luhn check
    "request 550e8400-e29b-41d4-a716-446655440000 timed out",
    "on 2026-12-03 at 10:15, and 03/12/2026",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 broke it",
    "see https://docs.example.com/api/v1/search?q=weather#results",
    "path /home/user/projects/app/src/main.rs and C:\\data\\file.txt",
    "tools: search_files, get_forecast, convert_units, days_between",
    "the token limit is max_tokens: 4096 and the tokens: 12",
    "phone 555-0100, room 12-34, id 000-12-3456, 666-12-3456",
    "npm package @scope/name@1.4.2 and user@localhost",
    "a sk- prefix alone, or sk-short",
    "AKIA is a prefix; AKIAshort",
    "bearer authentication is required; Authorization: required",
    "max token: 4096 and the token limit",
    "git clone git@github.com:acme/widgets.git",
    "request at 1733224500004 ms, snowflake 1234567890123456789",
];

#[test]
fn every_kind_is_replaced_by_its_marker() {
    let rules = Redaction::standard();
    for (kind, input, expected) in GOLDEN {
        assert_eq!(&rules.redact(input), expected, "{kind}: {input:?}");
    }
    let kinds: std::collections::BTreeSet<&str> = GOLDEN.iter().map(|(kind, _, _)| *kind).collect();
    let standard: std::collections::BTreeSet<&str> =
        STANDARD.iter().map(|(kind, _, _)| *kind).collect();
    assert_eq!(kinds, standard, "a golden vector for every built-in kind");
}

#[test]
fn text_that_only_looks_similar_stays_intact() {
    let rules = Redaction::standard();
    for text in INTACT {
        assert_eq!(&rules.redact(text), text);
    }
}

#[test]
fn redaction_is_idempotent() {
    let rules = Redaction::standard();
    for (_, input, _) in GOLDEN {
        let once = rules.redact(input);
        assert_eq!(rules.redact(&once), once);
    }
}

#[test]
fn user_rules_add_and_drop_kinds_and_bad_ones_are_refused() {
    let rules = Redaction::standard()
        .with_rule("ticket", |text: &str| {
            text.match_indices("TCK-")
                .map(|(at, _)| at..at + 9)
                .collect()
        })
        .expect("valid")
        .without("email");
    assert_eq!(
        rules.redact("TCK-12345 from a@b.example"),
        "[REDACTED:ticket] from a@b.example"
    );
    assert!(
        Redaction::none()
            .with_rule("Bad Kind", |_: &str| Vec::new())
            .is_err()
    );
    assert!(
        Redaction::none()
            .with_rule("", |_: &str| Vec::new())
            .is_err()
    );
    assert_eq!(Redaction::none().redact("a@b.example"), "a@b.example");
    // The standard set itself is untouched by what was added to a copy.
    assert_eq!(Redaction::standard().redact("TCK-12345"), "TCK-12345");
}

#[test]
fn a_footnote_mark_or_other_number_sign_beside_a_secret_does_not_hide_it() {
    let rules = Redaction::standard();
    for (text, kept) in [
        (
            "token ghp_1234567890abcdefghijABCDEFGHIJ123456¹ see note",
            "¹ see note",
        ),
        ("key AKIAIOSFODNN7EXAMPLE²", "²"),
        ("card 4111111111111111½", "½"),
        ("ssn 123-45-6789①", "①"),
        ("²sk-abcdefghijklmnopqrstuvwxyz", "²"),
        ("²postgres://admin:hunter2@db", "@db"),
        ("see³ password=hunter2", "see³"),
    ] {
        let out = rules.redact(text);
        assert!(out.contains(MARKER_PREFIX), "{text:?} came out as {out:?}");
        assert!(out.contains(kept), "{text:?} lost {kept:?}: {out:?}");
        for secret in [
            "ghp_1234", "AKIAIOSF", "41111111", "6789", "sk-abc", "hunter2",
        ] {
            assert!(!out.contains(secret), "{text:?} kept {secret:?}: {out:?}");
        }
    }
}

#[test]
fn a_user_rule_that_misbehaves_never_panics_and_never_leaks() {
    // Spans out of order, overlapping, empty, reversed, past the end and inside a char: each is read so that it
    // redacts more, never less (merged, turned round, cut at the end, widened to the whole char).
    let sloppy = Redaction::none()
        .with_rule("x", |_: &str| {
            let (high, low) = (16, 13);
            vec![8..11, 0..3, 1..4, 5..5, high..low]
        })
        .expect("valid");
    assert_eq!(
        sloppy.redact("abc de, fgh é!"),
        "[REDACTED:x]de, [REDACTED:x] [REDACTED:x]"
    );
    let past_the_end = Redaction::none()
        .with_rule("x", |_: &str| std::iter::once(7..usize::MAX).collect())
        .expect("valid");
    assert_eq!(
        past_the_end.redact("ticket TCK-1234é"),
        "ticket [REDACTED:x]"
    );
    // Overlapping spans become one marker covering both: nothing of the longer one is left.
    let overlapping = Redaction::none()
        .with_rule("ticket", |_: &str| vec![7..16, 7..29])
        .expect("valid");
    assert_eq!(
        overlapping.redact("ticket TCK-12345-SECRETSECRET end"),
        "ticket [REDACTED:ticket] end"
    );
    // A rule that panics redacts the whole text rather than letting it through.
    let panicking = Redaction::none()
        .with_rule("boom", |_: &str| panic!("a bug in a user's rule"))
        .expect("valid");
    assert_eq!(panicking.redact("password hunter2"), "[REDACTED:boom]");
}

#[test]
fn every_string_the_agent_writes_is_redacted() {
    let mut payload = FeedbackPayload {
        what_i_needed: "mail a@b.example".into(),
        what_i_tried: "ghp_1234567890abcdefghijABCDEFGHIJ123456".into(),
        suggestion: "password=x1".into(),
        user_goal: "call 4111111111111111".into(),
        tools_available: vec!["send_email".into()],
        session_id: "s-1".into(),
        ..FeedbackPayload::default()
    };
    Redaction::standard().apply(&mut payload);
    assert_eq!(payload.what_i_needed, "mail [REDACTED:email]");
    assert_eq!(payload.what_i_tried, "[REDACTED:github_token]");
    assert_eq!(payload.suggestion, "password=[REDACTED:password]");
    assert_eq!(payload.user_goal, "call [REDACTED:card_number]");
    assert_eq!(payload.tools_available, ["send_email"]);
    assert_eq!(payload.session_id, "s-1");
    let mut agent_fields = FeedbackPayload {
        agent_model: "model for a@b.example".into(),
        client_type: "client 4111111111111111".into(),
        tools_available: vec!["tool_for_a@b.example".into()],
        ..FeedbackPayload::default()
    };
    Redaction::standard().apply(&mut agent_fields);
    assert_eq!(agent_fields.agent_model, "model for [REDACTED:email]");
    assert_eq!(agent_fields.client_type, "client [REDACTED:card_number]");
    assert_eq!(agent_fields.tools_available, ["[REDACTED:email]"]);
}

#[test]
fn counts_name_each_kind_and_never_the_text() {
    let body = r#"{"what_i_needed":"[REDACTED:email] and [REDACTED:email]","what_i_tried":"[REDACTED:jwt] [REDACTED:Nope]"}"#;
    assert_eq!(counts(body), "email=2, jwt=1");
    assert_eq!(counts("{}"), "");
}

#[test]
fn a_secret_split_by_the_search_bound_leaves_no_part_behind() {
    // A private key shrinks to a short marker, so text near the bound ends up inside the cap.
    let key = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        "A".repeat(12_000)
    );
    let padding = "word ".repeat((2 * MAX_FIELD_BYTES - key.len() - 20) / 5);
    let token = "ghp_1234567890abcdefghijABCDEFGHIJ123456";
    let mut payload = FeedbackPayload {
        what_i_needed: format!("{key}{padding}{token} tail"),
        ..FeedbackPayload::default()
    };
    Redaction::standard().apply(&mut payload);
    assert!(
        !payload.what_i_needed.contains("ghp_"),
        "{}",
        &payload.what_i_needed[payload.what_i_needed.len() - 80..]
    );
    assert!(
        payload
            .what_i_needed
            .ends_with(crate::contract::fields::TRUNCATION_MARKER)
    );
}
