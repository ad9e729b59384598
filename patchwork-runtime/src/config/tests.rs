//! The resolver: precedence, trimming, the URL table, modes, and secrets kept out of `Debug`.
use super::*;

fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

fn layer(url: Option<&str>, key: Option<&str>, slug: Option<&str>) -> Layer {
    Layer {
        url: url.map(Into::into),
        api_key: key.map(Into::into),
        slug: slug.map(Into::into),
        api_key_env: None,
    }
}

#[test]
fn runtime_wins_over_attribute_over_env_over_defaults() {
    let env = env_of(&[
        (ENV_URL, "https://env.example"),
        (ENV_API_KEY, "env-key"),
        (ENV_SERVER_SLUG, "env-slug"),
    ]);
    let runtime = layer(Some("https://run.example"), None, Some(" "));
    let attribute = layer(Some("https://attr.example"), None, Some("attr-slug"));
    let settings = resolve(&[&runtime, &attribute], &env);
    assert_eq!(
        settings.url.as_ref().map(BaseUrl::as_str),
        Ok("https://run.example")
    );
    assert_eq!(
        settings.api_key.as_ref().map(ApiKey::expose),
        Some("env-key")
    );
    assert_eq!(settings.slug.as_deref(), Some("attr-slug"));

    let env_only = resolve(&[&Layer::default()], &env);
    assert_eq!(
        env_only.url.as_ref().map(BaseUrl::as_str),
        Ok("https://env.example")
    );
    assert_eq!(env_only.slug.as_deref(), Some("env-slug"));

    let defaults = resolve(&[], &env_of(&[]));
    assert_eq!(defaults.url.as_ref().map(BaseUrl::as_str), Ok(DEFAULT_URL));
    assert_eq!(defaults.api_key, None);
    assert_eq!(defaults.slug, None);
    assert_eq!(defaults.slug_or_default(), "unknown");
}

#[test]
fn surrounding_whitespace_is_trimmed_from_every_value() {
    let env = env_of(&[
        (ENV_API_KEY, "env-key\n"),
        (ENV_URL, " https://env.example/ \n"),
    ]);
    let runtime = layer(None, None, Some("  my-server\t"));
    let settings = resolve(&[&runtime], &env);
    assert_eq!(
        settings.api_key.as_ref().map(ApiKey::expose),
        Some("env-key")
    );
    assert_eq!(
        settings.url.as_ref().map(BaseUrl::as_str),
        Ok("https://env.example")
    );
    assert_eq!(settings.slug.as_deref(), Some("my-server"));
}

#[test]
fn api_key_env_names_the_variable() {
    let env = env_of(&[(ENV_API_KEY, "default-var"), ("MY_KEY", "custom-var")]);
    let attribute = Layer {
        api_key_env: Some("MY_KEY".into()),
        ..Layer::default()
    };
    let settings = resolve(&[&Layer::default(), &attribute], &env);
    assert_eq!(
        settings.api_key.as_ref().map(ApiKey::expose),
        Some("custom-var")
    );
    let explicit = layer(None, Some("explicit"), None);
    let settings = resolve(&[&explicit, &attribute], &env);
    assert_eq!(
        settings.api_key.as_ref().map(ApiKey::expose),
        Some("explicit")
    );
}

#[test]
fn a_refused_url_is_a_typed_reason() {
    let runtime = layer(Some("http://patchworkmcp.com"), Some("k"), None);
    assert_eq!(
        resolve(&[&runtime], &env_of(&[])).url,
        Err(UrlError::InsecureHttp)
    );
}

/// Every row of the contract's URL table, through the run-time path: the resolver (from the builder's
/// layer and from the environment) and the request URL actually built. The macro runs the same table
/// through the attribute's check, so the two accept exactly the same URLs.
#[test]
fn the_resolver_accepts_exactly_the_url_table_s_urls() {
    use crate::contract::url_table::URL_TABLE;
    use crate::delivery::Target;
    for (input, expected) in URL_TABLE {
        let runtime = layer(Some(input), Some("k"), None);
        let from_builder = resolve(&[&runtime], &env_of(&[]));
        let env = |name: &str| match name {
            ENV_URL => Some(input.to_string()),
            ENV_API_KEY => Some("k".to_string()),
            _ => None,
        };
        let from_env = resolve(&[], &env);
        for settings in [&from_builder, &from_env] {
            let base = settings.url.as_ref().ok().map(BaseUrl::as_str);
            // A blank value is unset and falls back to the default: only the table's empty row differs.
            if input.trim().is_empty() {
                assert_eq!(base, Some(DEFAULT_URL));
                continue;
            }
            assert_eq!(base, *expected, "{input:?}");
            let target = Target::feedback(settings);
            assert_eq!(target.is_ok(), expected.is_some(), "{input:?}");
            if let (Ok(target), Some(expected)) = (target, expected) {
                assert_eq!(
                    target.endpoint.as_str(),
                    format!("{expected}/api/v1/feedback/"),
                    "{input:?}"
                );
            }
        }
    }
}

#[test]
fn the_mode_follows_the_runtime_choice_then_the_environment() {
    assert_eq!(mode(None, &env_of(&[])), Mode::Live);
    assert_eq!(
        mode(None, &env_of(&[(ENV_MODE, " Dry_Run ")])),
        Mode::DryRun
    );
    assert_eq!(mode(None, &env_of(&[(ENV_MODE, "off")])), Mode::Off);
    assert_eq!(
        mode(None, &env_of(&[(ENV_MODE, "offf")])),
        Mode::DryRun,
        "a typo never sends"
    );
    assert_eq!(
        mode(Some(Mode::Live), &env_of(&[(ENV_MODE, "off")])),
        Mode::Live
    );
}

#[test]
fn debug_never_shows_the_key() {
    let opts = Options {
        api_key: Some("sekrit-123".into()),
        ..Options::default()
    };
    let layer = Layer::from(&opts);
    let settings = resolve(&[&layer], &env_of(&[]));
    for text in [
        format!("{opts:?}"),
        format!("{opts:#?}"),
        format!("{layer:?}"),
        format!("{settings:?}"),
        format!("{settings:#?}"),
    ] {
        assert!(!text.contains("sekrit"), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
}

#[test]
fn the_outbox_follows_the_runtime_choice_then_the_environment() {
    let env = env_of(&[(ENV_OUTBOX, "off")]);
    assert_eq!(outbox_location(None, &env), OutboxSetting::Off);
    let dir = OutboxSetting::Dir("/x".into());
    assert_eq!(outbox_location(Some(&dir), &env), dir);
    assert_eq!(outbox_location(None, &env_of(&[])), OutboxSetting::Default);
}
