//! Golden vectors for every kind, false-positive vectors that must stay intact, and the payload-level rules.

use super::*;

/// (kind, input, expected output): each built-in kind, in the forms agents paste.
pub(super) const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "aws_access_key",
        "key AKIA2E0A8F3B244C9986 in the config",
        "key [REDACTED:aws_access_key] in the config",
    ),
    (
        "aws_secret_key",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYq7Zt3Mv9Lk",
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
        "password: p4ss;q, then I retried; secret=Zx81Kq02LmPa; done",
        "password: [REDACTED:password], then I retried; secret=[REDACTED:generic_secret]; done",
    ),
    (
        "password",
        "DB_PASSWORD=hunter2 and X-Api-Key: abc123def456",
        "DB_PASSWORD=[REDACTED:password] and X-Api-Key: [REDACTED:generic_secret]",
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
    (
        "gitlab_token",
        "cloned with glpat-u8jzPde0IgxLd6GncfBA today",
        "cloned with [REDACTED:gitlab_token] today",
    ),
    (
        "webhook_url",
        "posted to https://hooks.slack.com/services/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.",
        "posted to [REDACTED:webhook_url].",
    ),
    (
        "ai_provider_key",
        "GROQ_API_KEY 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 was refused",
        "GROQ_API_KEY [REDACTED:ai_provider_key] was refused",
    ),
    (
        "huggingface_token",
        "hub login 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 ok",
        "hub login [REDACTED:huggingface_token] ok",
    ),
    (
        "npm_token",
        "//registry.npmjs.org/:_authToken=npm_QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63",
        "//registry.npmjs.org/:_authToken=[REDACTED:npm_token]",
    ),
    (
        "pypi_token",
        "twine upload -p pypi-AgEIcHlwaS5vcmc-kv5ZJr3J1TWDtkwtDDb_xHKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGS dist/*",
        "twine upload -p [REDACTED:pypi_token] dist/*",
    ),
    (
        "stripe_key",
        "test key rk_test_MxEhh2FDEEtfjgVvVqE1SkHb, webhook whsec_n88HxjSI6bWHtP3fS2qHx6kwXoIIXGvO",
        "test key [REDACTED:stripe_key], webhook [REDACTED:stripe_key]",
    ),
    (
        "google_oauth_token",
        "access token ya29.a0CyEZDz-TddJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7s8Stqcbnr3y expired",
        "access token [REDACTED:google_oauth_token] expired",
    ),
    (
        "azure_storage_key",
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=bA6AbJV7poTWQx+16tdCTQnhXQJMWEjyPR+m9zYdf2GNFTLnDiDipmaN5/R+hGflRtU+yOKhJXvbJWybPk+7SQ==;EndpointSuffix=core.windows.net",
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[REDACTED:azure_storage_key];EndpointSuffix=core.windows.net",
    ),
    (
        "azure_sas",
        "GET https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&se=2026-12-05T00:00:00Z&sig=q4i9DoV8gz4FkQ1okTBGzvAmwufUxbvJDCTbyvHN%3D failed",
        "GET https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&se=2026-12-05T00:00:00Z&sig=[REDACTED:azure_sas] failed",
    ),
    (
        "azure_client_secret",
        "client secret abc8Q~L-ioDnkHIfxIq2HZt-~PlJhx2jIclHkCiH in the app",
        "client secret [REDACTED:azure_client_secret] in the app",
    ),
    (
        "twilio_key",
        "twilio SK3e0ad84173581569969e58b081006f7e and AC3dfc967a64cb14028d512c9791e558e0",
        "twilio [REDACTED:twilio_key] and [REDACTED:twilio_key]",
    ),
    (
        "sendgrid_key",
        "SENDGRID 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 bounced",
        "SENDGRID [REDACTED:sendgrid_key] bounced",
    ),
    (
        "mailgun_key",
        "mailgun key-767efc2f91624a8940f1f836f99eee36 or 92f09e2e8c662248b483b7ffc050fec9-4dbca3a0-aac36098",
        "mailgun [REDACTED:mailgun_key] or [REDACTED:mailgun_key]",
    ),
    (
        "vault_token",
        "VAULT hvs.ViYXjU2JgJngKtFI3OyV2dZAkg05rK_gqv81RKMGHZEM9YpvujA-C5Q52ryFlwRlOEVHzc0X0AWIRh-JUqBlIFXZ53 denied",
        "VAULT [REDACTED:vault_token] denied",
    ),
    (
        "doppler_token",
        "doppler dp.pt.9t2039bicBTW5ZE9LFaez7770H2DCpYgojjHRg80USP works",
        "doppler [REDACTED:doppler_token] works",
    ),
    (
        "databricks_token",
        "databricks dapie210471948d33296c87009e8a7f770d9-2 rejected",
        "databricks [REDACTED:databricks_token] rejected",
    ),
    (
        "digitalocean_token",
        "doctl dop_v1_106fd287db7f1adbc60926f6967e7893f57fd14c1604d115cea325a65e19cbae used",
        "doctl [REDACTED:digitalocean_token] used",
    ),
    (
        "basic_auth",
        "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l sent",
        "Authorization: Basic [REDACTED:basic_auth] sent",
    ),
    (
        "generic_secret",
        "then I retried; client_secret=Zx81Kq02LmPa; --token 9fQ2xLw8ZkT3b",
        "then I retried; client_secret=[REDACTED:generic_secret]; --token [REDACTED:generic_secret]",
    ),
    (
        "password",
        "mysql -uroot -pS3cretPw db and --password hunter22 and pass: (none set)",
        "mysql -uroot -p[REDACTED:password] db and --password [REDACTED:password] and pass: (none set)",
    ),
    (
        "iban",
        "IBAN DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432",
        "IBAN [REDACTED:iban] and [REDACTED:iban]",
    ),
    (
        "ip_address",
        "from 203.0.113.42:8443 and [2001:db8::8a2e:370:7334], not 127.0.0.1",
        "from [REDACTED:ip_address]:8443 and [[REDACTED:ip_address]], not 127.0.0.1",
    ),
    (
        "phone",
        "call +44 20 7946 0958 or (415) 555-0132",
        "call [REDACTED:phone] or [REDACTED:phone]",
    ),
    (
        "phone",
        "phone 555-0100, room 12-34, id 000-12-3456, 666-12-3456",
        "phone [REDACTED:phone], room 12-34, id 000-12-3456, 666-12-3456",
    ),
    (
        "home_user",
        "in /home/alice/app/main.rs and C:\\Users\\Jo Ann\\Desktop",
        "in /home/[REDACTED:home_user]/app/main.rs and C:\\Users\\[REDACTED:home_user]\\Desktop",
    ),
    (
        "email",
        "write to józef@przykład.pl",
        "write to [REDACTED:email]",
    ),
    (
        "card_number",
        "card 4111.1111.1111.1111 declined",
        "card [REDACTED:card_number] declined",
    ),
    (
        "national_id",
        "SSN: 123456789 on file",
        "SSN: [REDACTED:national_id] on file",
    ),
    (
        "telegram_bot_token",
        "GET https://api.telegram.org/bot2516096493:AA575yx8xm5MslfY5ubiheyEd7P4zDL-ak6/getUpdates",
        "GET https://api.telegram.org/bot[REDACTED:telegram_bot_token]/getUpdates",
    ),
    (
        "shopify_token",
        "X-Shopify-Access-Token: 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",
        "X-Shopify-Access-Token: [REDACTED:shopify_token]",
    ),
    (
        "postman_key",
        "postman PMAK-d347301ef56e64dc3cd60890-65c3146e80a9c222670bbe4f4c54977656 expired",
        "postman [REDACTED:postman_key] expired",
    ),
    (
        "password",
        "password: |\n    hne9N3PJ06J8189jz0q\nport: 587",
        "password: |\n    [REDACTED:password]\nport: 587",
    ),
    (
        "password",
        "user\tpassword\nadmin\tS3cretPw1",
        "user\tpassword\nadmin\t[REDACTED:password]",
    ),
    (
        "password",
        "user,password,role\nadmin,Tr0ub4dor&3,root",
        "user,password,role\nadmin,[REDACTED:password],root",
    ),
    (
        "password",
        "| service | password |\n|---|---|\n| grafana | Winter@falcon5261 |",
        "| service | password |\n|---|---|\n| grafana | [REDACTED:password] |",
    ),
    (
        "password",
        "<entry key=\"db.password\">HEiu8TWQXCZEOw</entry> and password：ISADWcGNkO7r",
        "<entry key=\"db.password\">[REDACTED:password]</entry> and password：[REDACTED:password]",
    ),
    (
        "password",
        "redis-cli -a 'r3d1s-Pa55-zz91' PING; the passphrase is correct-horse-battery-staple",
        "redis-cli -a '[REDACTED:password]' PING; the passphrase is [REDACTED:password]",
    ),
    (
        "password",
        "ユーザーのパスワードは Hk83-zQpx-01 です",
        "ユーザーのパスワードは [REDACTED:password] です",
    ),
    (
        "email",
        "unsubscribe?email=jane.doe%40example.com&list=weekly",
        "unsubscribe?email=[REDACTED:email]&list=weekly",
    ),
    (
        "generic_secret",
        "<add key=\"ApiKey\" value=\"7rPTZ6Z1LpTV8Z8HWGfIsGeeEhqn4X4G\" />",
        "<add key=\"ApiKey\" value=\"[REDACTED:generic_secret]\" />",
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
    "room 12-34, id 000-12-3456, 666-12-3456, pages 120-135, build 2026.12.04, HTTP 429",
    "my secret: nothing works, password: (none set), token: expired, the api key is missing",
    "API_KEY=${API_KEY}, password=<your-password>, token: ***, sort key: created_at, primary key: id",
    "token_count: 1532, max_tokens=4096, --password-file /run/secrets/db, tokenizer: cl100k_base",
    "v1.2.3.4 and version 4.2.1.0, OID 1.3.6.1.4.1.311, localhost:8080, ::1 and 0.0.0.0",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, icon@2x.png",
    "pk_live_51H8abcdefghijklmnopqrstu is publishable; C:\\Users\\Public\\Desktop; /Users/Shared/x",
    "AWS's documented AKIAIOSFODNN7EXAMPLE and aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "cache key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 and GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "ssh -T git@gitlab.com; DATABASE_URL=postgres://USER:PASSWORD@HOST/db; argon2id with m=65536,t=3,p=4",
    "Cache restored from key: node-cache-Linux-x64-npm-4f1c2a9b8e7d6c5b4a39281706f5e4d3; x-ratelimit-reset: 1715682151",
    "proxy_pass http://127.0.0.1:8080; password = getpass.getpass(\"Password: \"); PWD=/srv/app",
    "tool calls: 1234567 in total, hotel 1234567, string 1234567, cancelled 1234567, ~10/s and ~2.5/min",
    "the token endpoint returned request 550e8400-e29b-41d4-a716-446655440000 at 2026-12-04T12:53:52Z",
    "the password reset mail links to sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "Basic auth failed; arn:aws:iam::123456789012:role/deploy; 12:34:56.789; at 2026-12-04T12:53:52Z",
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
        ("key AKIA2E0A8F3B244C9986²", "²"),
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
    Redaction::standard().apply(&mut payload, Filled::default());
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
    Redaction::standard().apply(&mut agent_fields, Filled::default());
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
    Redaction::standard().apply(&mut payload, Filled::default());
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

/// Pieces of every rule's shapes, in several scripts, to build hostile text from.
const PIECES: &[&str] = &[
    "password",
    "Passwort",
    "パスワード",
    "密码",
    "token",
    "key",
    "secret",
    "api_key",
    "AKIA",
    "ghp_",
    "glpat-",
    "sk-",
    "xoxb-",
    "hooks.slack.com/services/",
    "dp.pt.",
    "SG.",
    "Q~",
    "sig=",
    "sv=",
    "AccountKey=",
    "@tcp(",
    "://",
    "@",
    "%40",
    ":",
    "：",
    "=",
    "=>",
    ":=",
    ",",
    "，",
    "\t",
    "\n",
    " ",
    "  ",
    "|",
    "|---|",
    "<",
    ">",
    "</",
    "key=\"",
    "name=\"",
    "value=\"",
    "\"",
    "'",
    "`",
    "\\\"",
    "(",
    ")",
    ".password(",
    "setProperty(",
    "-p ",
    "-a ",
    " -u ",
    "mysql",
    "redis-cli",
    "curl",
    "IDENTIFIED BY ",
    " is ",
    " was ",
    "--password ",
    "--token=",
    "Basic ",
    "Bearer ",
    "Authorization: ",
    "/home/",
    "/Users/",
    "C:\\Users\\",
    "~",
    "+44 ",
    "(415) ",
    "555-0132",
    "tel:",
    "電話",
    "192.168.",
    "1.",
    "::",
    "fe80::1",
    "DE89 3704 0044 0532 0130 00",
    "4111 1111 1111 1111",
    "123-45-6789",
    "SSN ",
    "é",
    "日本",
    "ß",
    "😀",
    "\u{a0}",
    "0",
    "9",
    "x",
    "Z",
    "a1B2c3D4e5F6g7H8",
    "Wk7sZFsye*qnP",
    "[REDACTED:email]",
    "${",
    "}",
    "{{",
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    "eyJ",
    ".",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 3_000, ..Default::default() })]

    /// The rules never panic on any text built from their own shapes, glued together in any order (any script, any
    /// cut inside a char's neighbourhood).
    #[test]
    fn the_rules_never_panic_on_text_built_from_their_shapes(
        pieces in proptest::collection::vec(0..PIECES.len(), 0..48)
    ) {
        let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
        let _ = Redaction::standard().redact(&text);
    }

    /// On words of those shapes written apart (as text is written), a second pass finds nothing new to redact: a
    /// replay, which redacts stored text again, changes nothing.
    #[test]
    fn a_second_pass_over_redacted_words_changes_nothing(
        pieces in proptest::collection::vec(0..PIECES.len(), 0..32)
    ) {
        let text = pieces.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        let rules = Redaction::standard();
        let once = rules.redact(&text);
        let twice = rules.redact(&once);
        proptest::prop_assert_eq!(&once, &twice, "{:?}", text);
    }
}
