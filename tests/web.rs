//! Component tests in a real browser (headless Chromium via wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use keyless_core::Field;
use keyless_web::components::field::TextField;
use keyless_web::components::front_door::FrontDoor;
use keyless_web::components::next_steps::NextSteps;
use keyless_web::components::preview::Preview;
use keyless_web::components::run_check::RunCheck;
use keyless_web::components::size_picker::SizePicker;
use keyless_web::components::troubleshooter::Troubleshooter;
use keyless_web::state::FormState;
use keyless_web::steps::Step;
use keyless_web::App;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a view in a fresh container, so tests do not see each other's DOM.
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> web_sys::HtmlElement {
    // Only our own containers are removed: the runner reports through its own
    // elements in the body.
    while let Some(previous) = document().query_selector(".test-mount").unwrap() {
        previous.remove();
    }
    let container: web_sys::HtmlElement =
        document().create_element("div").unwrap().unchecked_into();
    container.set_class_name("test-mount");
    document().body().unwrap().append_child(&container).unwrap();
    leptos::mount::mount_to(container.clone(), view).forget();
    container
}

/// Waits one task: what the app defers with `set_timeout(…, 0)` (the preview and the
/// cost panel mount after the form) has run.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn element(id: &str) -> web_sys::Element {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("#{id} exists"))
}

fn dispatch(target: &web_sys::Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn type_into(id: &str, value: &str) {
    let input: HtmlInputElement = element(id).unchecked_into();
    input.set_value(value);
    dispatch(&input, "input");
}

fn choose(id: &str, value: &str) {
    let select: HtmlSelectElement = element(id).unchecked_into();
    select.set_value(value);
    dispatch(&select, "change");
}

fn option_values(id: &str) -> Vec<String> {
    let select: HtmlSelectElement = element(id).unchecked_into();
    let options = select.options();
    (0..options.length())
        .map(|i| {
            options
                .item(i)
                .unwrap()
                .unchecked_into::<web_sys::HtmlOptionElement>()
                .value()
        })
        .collect()
}

/// The text of the file `path` in the preview, once its tab is selected (only the
/// selected panel holds its text); `None` when the preview has no such file.
async fn artifact_text(path: &str) -> Option<String> {
    let tabs = document().query_selector_all("[role=tab]").unwrap();
    let tab = (0..tabs.length())
        .filter_map(|i| tabs.item(i))
        .find(|t| t.text_content().as_deref() == Some(path))?;
    tab.unchecked_into::<web_sys::HtmlElement>().click();
    leptos::task::tick().await;
    panel_text(path)
}

/// What the page holds as the text of `path`'s panel, selected or not.
fn panel_text(path: &str) -> Option<String> {
    document()
        .query_selector(&format!("[data-artifact=\"{path}\"]"))
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default())
}

fn valid_state() -> FormState {
    let mut raw = FormState::initial_raw();
    raw.account_id = "123456789012".into();
    raw.github_owner = "octo-org".into();
    raw.github_repo = "octo-app".into();
    FormState::new(raw)
}

#[wasm_bindgen_test]
async fn text_field_shows_its_error_next_to_it_and_keeps_what_was_typed() {
    let state = valid_state();
    mount(move || {
        view! { <TextField state field=Field::AccountId label="AWS account id" hint="12 digits" /> }
    });
    let input = element("field-account_id");
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("field-account_id-hint")
    );

    type_into("field-account_id", "12345");
    leptos::task::tick().await;
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("field-account_id-hint field-account_id-error")
    );
    let error = element("field-account_id-error");
    assert!(error.text_content().unwrap().contains("12 digits"));
    assert!(!error.has_attribute("hidden"));
    let typed: HtmlInputElement = input.unchecked_into();
    assert_eq!(
        typed.value(),
        "12345",
        "what the user typed is never cleared"
    );
    assert_eq!(state.raw.get_untracked().account_id, "12345");
}

#[wasm_bindgen_test]
async fn size_picker_offers_only_valid_fargate_pairs() {
    let state = valid_state();
    mount(move || view! { <SizePicker state /> });
    assert_eq!(
        option_values("field-cpu"),
        ["256", "512", "1024", "2048", "4096", "8192", "16384"]
    );
    assert_eq!(option_values("field-memory"), ["512", "1024", "2048"]);

    choose("field-cpu", "1024");
    leptos::task::tick().await;
    assert_eq!(
        option_values("field-memory"),
        ["2048", "3072", "4096", "5120", "6144", "7168", "8192"]
    );
    let raw = state.raw.get_untracked();
    assert_eq!((raw.cpu.as_str(), raw.memory.as_str()), ("1024", "2048"));
    assert!(
        state.result.with_untracked(Result::is_ok),
        "the pair stays valid"
    );

    choose("field-memory", "8192");
    choose("field-cpu", "2048");
    leptos::task::tick().await;
    assert_eq!(
        state.raw.get_untracked().memory,
        "8192",
        "a memory still valid for the new CPU is kept"
    );
}

#[wasm_bindgen_test]
async fn copy_button_gives_visible_feedback() {
    let state = valid_state();
    let container = mount(move || view! { <Preview state /> });
    leptos::task::tick().await;
    let button = container
        .query_selector("button[aria-label=\"Copy infra/trust-policy.json\"]")
        .unwrap()
        .expect("a copy button per file");
    button.unchecked_ref::<web_sys::HtmlElement>().click();
    // The feedback next to that button, in the trust policy's own panel (the
    // files are grouped by use, so the first panel shown is another file's).
    let panel = button
        .closest(".file")
        .unwrap()
        .expect("the button is in a panel");
    let mut feedback = String::new();
    for _ in 0..50 {
        leptos::task::tick().await;
        feedback = panel
            .query_selector(".feedback")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap_or_default();
        if !feedback.is_empty() {
            break;
        }
        sleep_ms(20).await;
    }
    // Headless Chromium may refuse clipboard access without a user gesture; either
    // way the user is told what happened, next to the button.
    assert!(
        feedback == "Copied" || feedback.starts_with("Copy failed"),
        "{feedback:?}"
    );
}

#[wasm_bindgen_test]
async fn the_app_renders_every_file_and_marks_the_preview_stale_on_errors() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    mount(App);
    next_task().await;
    type_into("field-github_owner", "octo-org");
    type_into("field-github_repo", "octo-app");
    leptos::task::tick().await;
    element("wizard")
        .query_selector(".steps li:nth-child(2) button")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    leptos::task::tick().await;
    type_into("field-account_id", "123456789012");
    leptos::task::tick().await;

    let text = artifact_text("infra/trust-policy.json")
        .await
        .expect("the trust policy is shown");
    let policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        policy["Statement"][0]["Condition"]["StringEquals"]
            ["token.actions.githubusercontent.com:sub"][0],
        "repo:octo-org/octo-app:ref:refs/heads/main"
    );
    for path in [
        "infra/permissions-policy.json",
        "infra/setup.sh",
        "infra/teardown.sh",
        "infra/cloudformation.yaml",
        ".aws/task-definition.json",
        ".github/workflows/deploy.yml",
        "keyless.json",
    ] {
        assert!(artifact_text(path).await.is_some(), "{path} is shown");
    }
    // Only the selected file's text is in the page: the others are written on selection.
    assert_eq!(
        panel_text("keyless.json").map(|t| t.is_empty()),
        Some(false)
    );
    for hidden in [
        "infra/trust-policy.json",
        "infra/setup.sh",
        "infra/cloudformation.yaml",
    ] {
        assert_eq!(
            panel_text(hidden).as_deref(),
            Some(""),
            "{hidden} is not selected"
        );
    }

    type_into("field-account_id", "12345");
    leptos::task::tick().await;
    let preview = document().query_selector(".preview").unwrap().unwrap();
    assert_eq!(preview.get_attribute("data-stale").as_deref(), Some("true"));
    assert_eq!(
        artifact_text("infra/trust-policy.json").await,
        Some(text),
        "the last valid bundle stays"
    );
}

/// Waits until what the last input caused is on the page: the effects, and the
/// `value` writes Leptos queues in a microtask after them (a `tick` can return
/// before those, and a later write then lands on a stale value).
async fn settle() {
    leptos::task::tick().await;
    next_task().await;
}

fn click(id: &str) {
    element(id).unchecked_into::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn the_load_balancer_reveals_its_settings_and_prices_itself_and_errors_stay_by_their_field() {
    let state = valid_state();
    mount(move || view! { <FrontDoor state /> });
    settle().await;
    let settings = document()
        .query_selector(".load-balancer")
        .unwrap()
        .expect("the load balancer's settings");
    let public_ip: HtmlInputElement = element("field-ingress-public_ip").unchecked_into();
    assert!(
        public_ip.checked(),
        "an empty ingress stands for the public IP"
    );
    assert!(
        settings.has_attribute("hidden"),
        "no load balancer, no settings"
    );

    click("field-ingress-load_balancer");
    settle().await;
    assert_eq!(state.raw.get_untracked().ingress, "load_balancer");
    assert!(!settings.has_attribute("hidden"), "the settings appear");
    assert!(settings.contains(Some(&element("field-domain_name"))));
    let described = element("field-ingress-load_balancer")
        .get_attribute("aria-describedby")
        .expect("the choice is described");
    let description = element(&described).text_content().unwrap();
    assert!(description.contains("HTTPS"), "{description}");
    let note = element(&described)
        .query_selector(".choice-note")
        .unwrap()
        .expect("the monthly difference next to the choice")
        .text_content()
        .unwrap();
    assert!(
        (note.starts_with("+$") || note.starts_with("-$")) && note.ends_with("/month in us-east-1"),
        "{note:?}"
    );

    type_into("field-domain_name", "app.example.com");
    settle().await;
    click("field-ingress-public_ip");
    settle().await;
    assert_eq!(state.raw.get_untracked().ingress, "public_ip");
    assert!(
        !settings.has_attribute("hidden"),
        "a field holding a value stays shown, with its error"
    );
    let input = element("field-domain_name");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let error = element("field-domain_name-error");
    assert!(!error.has_attribute("hidden"));
    assert!(
        error
            .text_content()
            .unwrap()
            .contains("only a load balancer"),
        "{:?}",
        error.text_content()
    );
    assert_eq!(
        input.unchecked_into::<HtmlInputElement>().value(),
        "app.example.com",
        "switching back clears nothing"
    );
}

#[wasm_bindgen_test]
fn every_field_but_version_belongs_to_exactly_one_step() {
    for field in Field::ALL {
        let count = Step::ALL
            .iter()
            .filter(|s| s.fields().contains(&field))
            .count();
        assert_eq!(count, usize::from(field != Field::Version), "{field}");
    }
}

/// Waits `ms` milliseconds (lets the clipboard promise settle).
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn text_of(selector: &str) -> String {
    document()
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} exists"))
        .text_content()
        .unwrap_or_default()
}

fn input_value(id: &str) -> String {
    element(id).unchecked_into::<HtmlInputElement>().value()
}

#[wasm_bindgen_test]
async fn the_run_check_starts_from_the_config_and_explains_each_denial() {
    let state = valid_state();
    mount(move || view! { <RunCheck state /> });
    settle().await;
    assert_eq!(input_value("run-ref"), "refs/heads/main");
    assert_eq!(input_value("run-repository"), "octo-org/octo-app");
    assert!(text_of("[data-run=decision]").starts_with("Allowed: push to refs/heads/main"));
    assert_eq!(
        text_of("[data-run=sub]"),
        "repo:octo-org/octo-app:ref:refs/heads/main"
    );

    // The fields follow the config until edited, then keep the edit.
    state.raw.update(|r| r.branch = "release".into());
    settle().await;
    assert_eq!(input_value("run-ref"), "refs/heads/release");
    assert!(text_of("[data-run=decision]").starts_with("Allowed"));
    type_into("run-ref", "refs/heads/feature");
    settle().await;
    state.raw.update(|r| r.branch = "main".into());
    settle().await;
    assert_eq!(input_value("run-ref"), "refs/heads/feature");
    let verdict = text_of("[data-run=decision]");
    assert!(verdict.starts_with("Denied"), "{verdict}");
    let reason = text_of("[data-run=reason]");
    assert!(
        reason.contains("repo:octo-org/octo-app:ref:refs/heads/feature")
            && reason.contains("repo:octo-org/octo-app:ref:refs/heads/main"),
        "the reason names what the token had and what the policy wants: {reason}"
    );

    // A pull request, then one from a fork: no token at all.
    type_into("run-ref", "refs/heads/main");
    choose("run-event", "pull_request");
    settle().await;
    assert!(text_of("[data-run=decision]").starts_with("Denied"));
    assert_eq!(
        text_of("[data-run=sub]"),
        "repo:octo-org/octo-app:pull_request"
    );
    assert!(!element("run-fork")
        .closest(".field")
        .unwrap()
        .unwrap()
        .has_attribute("hidden"));
    click("run-fork");
    settle().await;
    assert!(text_of("[data-run=sub]").starts_with("None: GitHub issues no OIDC token"));

    // An impossible run is a message, not a decision: the edited ref is kept.
    choose("run-event", "release");
    settle().await;
    assert_eq!(input_value("run-ref"), "refs/heads/main");
    assert!(document()
        .query_selector("[data-run=decision]")
        .unwrap()
        .is_none());
    let error = text_of("[data-run=error]");
    assert!(error.starts_with("A release run is on its tag"), "{error}");
    type_into("run-ref", "refs/tags/v2.0.0");
    settle().await;
    assert!(text_of("[data-run=decision]").starts_with("Denied: release on refs/tags/v2.0.0"));
    assert_eq!(
        text_of("[data-run=sub]"),
        "repo:octo-org/octo-app:ref:refs/tags/v2.0.0"
    );
}

#[wasm_bindgen_test]
async fn the_run_check_evaluates_a_pasted_policy_and_explains_bad_json() {
    let state = valid_state();
    mount(move || view! { <RunCheck state /> });
    settle().await;
    type_into(
        "run-policy",
        "{\"Version\": \"2012-10-17\", \"Statement\": [",
    );
    settle().await;
    let error = text_of("[data-run=error]");
    assert!(
        error.starts_with("The pasted policy: the policy is not valid JSON"),
        "{error}"
    );

    // A hand-made policy that trusts every ref of the owner's repositories.
    let wide = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}}}]}"#;
    type_into("run-policy", wide);
    choose("run-event", "pull_request");
    settle().await;
    assert!(text_of("[data-run=decision]").starts_with("Allowed"));
    let reason = text_of("[data-run=reason]");
    assert!(
        reason.contains("aud"),
        "a missing aud condition is named: {reason}"
    );

    // Emptying the field tests the generated policy again.
    type_into("run-policy", "");
    settle().await;
    assert!(text_of("[data-run=decision]").starts_with("Denied"));
}

#[wasm_bindgen_test]
async fn the_troubleshooter_lists_what_applies_and_ranks_a_pasted_error_first() {
    let state = valid_state();
    mount(move || view! { <Troubleshooter state /> });
    settle().await;
    let config = state.shown.get_untracked().unwrap().config;
    let applicable = keyless_core::troubleshoot::entries(&config)
        .into_iter()
        .filter(|e| e.applies)
        .count();
    let listed = || {
        document()
            .query_selector(".troubleshoot .entries")
            .unwrap()
            .unwrap()
            .child_element_count()
    };
    assert_eq!(listed() as usize, applicable);

    type_into(
        "troubleshoot-query",
        "Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity",
    );
    settle().await;
    let first = document()
        .query_selector(".troubleshoot [data-entry]")
        .unwrap()
        .unwrap();
    assert_eq!(
        first.get_attribute("data-entry").as_deref(),
        Some("oidc-not-authorized")
    );
    assert!(
        first.query_selector("details[open]").unwrap().is_some(),
        "the best match is open"
    );
    let text = first.text_content().unwrap();
    assert!(
        text.contains("aws iam update-assume-role-policy --role-name octo-app-github-deploy"),
        "the fix names this config's role: {text}"
    );
    assert!(text_of("[data-troubleshoot=summary]").contains("matching"));

    type_into("troubleshoot-query", "qwertyuiop");
    settle().await;
    assert_eq!(listed(), 0);
    assert!(text_of("[data-troubleshoot=summary]").starts_with("Nothing matches"));
}

/// The width a text of the SVG takes, as the browser lays it out.
fn text_length(element: &web_sys::Element) -> f64 {
    let method = js_sys::Reflect::get(element, &"getComputedTextLength".into()).unwrap();
    let method: js_sys::Function = method.unchecked_into();
    method.call0(element).unwrap().as_f64().unwrap()
}

fn number_attribute(element: &web_sys::Element, name: &str) -> f64 {
    element.get_attribute(name).unwrap().parse().unwrap()
}

#[wasm_bindgen_test]
async fn the_flow_diagram_names_each_resource_within_its_box_and_says_it_in_text() {
    // The longest names: an immutable sub in an environment, a private IP, a five-digit port.
    let mut raw = FormState::initial_raw();
    raw.account_id = "123456789012".into();
    raw.github_owner = "a-rather-long-organisation-name".into();
    raw.github_repo = "an-even-longer-repository-name-for-billing".into();
    raw.environment = "production-europe-west".into();
    raw.subject_format = "immutable".into();
    raw.github_owner_id = "123456789".into();
    raw.github_repo_id = "1034567890".into();
    raw.container_port = "65535".into();
    raw.assign_public_ip = "false".into();
    raw.subnets = vec!["subnet-0123456789abcdef0".into()];
    let state = FormState::new(raw);
    mount(move || view! { <NextSteps state /> });
    settle().await;
    let config = state
        .shown
        .get_untracked()
        .expect("the config is valid")
        .config;
    let flow = keyless_core::guide::flow(&config);
    let svg = document()
        .query_selector("svg.flow")
        .unwrap()
        .expect("the diagram");
    let boxes = svg.query_selector_all(".flow-box").unwrap();
    assert_eq!(boxes.length() as usize, flow.boxes.len());
    let width = number_attribute(&svg.query_selector("rect").unwrap().unwrap(), "width");
    let texts = svg.query_selector_all("text").unwrap();
    for i in 0..texts.length() {
        let text: web_sys::Element = texts.item(i).unwrap().unchecked_into();
        let right = number_attribute(&text, "x") + text_length(&text);
        assert!(
            right <= width,
            "{:?} ends at {right}, past the box's {width}",
            text.text_content()
        );
    }
    let shown = svg.text_content().unwrap();
    let description = element("flow-desc").text_content().unwrap();
    for b in &flow.boxes {
        assert!(description.contains(&b.name), "{description}");
        for file in &b.files {
            assert!(shown.contains(file) && description.contains(file), "{file}");
        }
    }
    assert!(description.contains("repo:a-rather-long-organisation-name@123456789/"));
    assert!(
        document()
            .query_selector_all(".checklist > li")
            .unwrap()
            .length() as usize
            == keyless_core::guide::first_deploy(&config).len()
    );
    let commands = document()
        .query_selector(".checklist pre")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        commands.contains("git add .github/workflows/deploy.yml"),
        "{commands}"
    );
}
