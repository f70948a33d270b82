//! Component tests in a real browser (headless Chromium via wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use keyless_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn type_into(id: &str, value: &str) {
    let input: HtmlInputElement = document().get_element_by_id(id).unwrap().unchecked_into();
    input.set_value(value);
    let event = web_sys::Event::new_with_event_init_dict("input", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    input.dispatch_event(&event).unwrap();
}

fn artifact_text(path: &str) -> Option<String> {
    document()
        .query_selector(&format!("[data-artifact=\"{path}\"]"))
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default())
}

#[wasm_bindgen_test]
async fn typing_the_fields_renders_the_trust_policy() {
    leptos::mount::mount_to_body(App);
    assert_eq!(artifact_text("infra/trust-policy.json"), None);

    type_into("field-account_id", "123456789012");
    type_into("field-github_owner", "octo-org");
    type_into("field-github_repo", "octo-app");
    let region: HtmlSelectElement = document()
        .get_element_by_id("field-region")
        .unwrap()
        .unchecked_into();
    assert_eq!(region.value(), "us-east-1");
    leptos::task::tick().await;

    let text = artifact_text("infra/trust-policy.json").expect("the trust policy is shown");
    let policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        policy["Statement"][0]["Condition"]["StringEquals"]
            ["token.actions.githubusercontent.com:sub"][0],
        "repo:octo-org/octo-app:ref:refs/heads/main"
    );

    type_into("field-account_id", "12345");
    leptos::task::tick().await;
    assert_eq!(artifact_text("infra/trust-policy.json"), None);
    let error = document()
        .get_element_by_id("field-account_id-error")
        .unwrap();
    assert!(error.text_content().unwrap().contains("12 digits"));
    let input = document().get_element_by_id("field-account_id").unwrap();
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
}
