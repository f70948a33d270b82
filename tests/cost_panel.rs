//! The cost panel in a real browser (headless Chromium via wasm-bindgen-test): a
//! load balancer's lines appear live, and its LCU assumption changes them.
#![cfg(target_arch = "wasm32")]

use keyless_web::components::cost_panel::CostPanel;
use keyless_web::state::FormState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a view in a fresh container (only this file's containers are removed).
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) {
    while let Some(previous) = document().query_selector(".cost-test-mount").unwrap() {
        previous.remove();
    }
    let container: web_sys::HtmlElement =
        document().create_element("div").unwrap().unchecked_into();
    container.set_class_name("cost-test-mount");
    document().body().unwrap().append_child(&container).unwrap();
    leptos::mount::mount_to(container, view).forget();
}

/// The shown line items as (name, monthly) pairs, in order.
fn rows() -> Vec<(String, String)> {
    let body = document()
        .query_selector(".cost-test-mount table.cost-items tbody")
        .unwrap()
        .expect("the line items");
    let mut rows = Vec::new();
    let mut next = body.first_element_child();
    while let Some(row) = next {
        let monthly = row
            .query_selector("[data-cost=\"monthly\"]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        rows.push((row.get_attribute("data-cost-item").unwrap(), monthly));
        next = row.next_element_sibling();
    }
    rows
}

fn text(selector: &str) -> Option<String> {
    document()
        .query_selector(&format!(".cost-test-mount {selector}"))
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default())
}

/// us-east-1, 0.25 vCPU / 0.5 GB x86, one task with its public IP, 30 days of logs.
fn state(edit: impl FnOnce(&mut keyless_core::RawConfig)) -> FormState {
    let mut raw = FormState::initial_raw();
    raw.account_id = "123456789012".into();
    raw.github_owner = "octo-org".into();
    raw.github_repo = "octo-app".into();
    edit(&mut raw);
    FormState::new(raw)
}

fn lcus() -> HtmlInputElement {
    document()
        .get_element_by_id("cost-lcus")
        .expect("the LCU assumption")
        .unchecked_into()
}

/// Types `value` into the LCU assumption.
async fn set_lcus(value: &str) {
    let input = lcus();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    leptos::task::tick().await;
}

fn row(name: &str, monthly: &str) -> (String, String) {
    (name.to_string(), monthly.to_string())
}

#[wasm_bindgen_test]
async fn a_load_balancer_is_priced_live_and_its_lcus_are_adjustable() {
    let state = state(|raw| {
        raw.ingress = "load_balancer".into();
        raw.domain_name = "app.example.com".into();
    });
    mount(move || view! { <CostPanel state /> });
    leptos::task::tick().await;
    // keyless-core's cost_figures.rs: 730 × 0.0225 = 16.425; 730 × 1 × 0.008 = 5.84;
    // 2 × 730 × 0.005 = 7.3; total 42.954614.
    assert_eq!(
        rows(),
        [
            row("Fargate vCPU", "$7.39"),
            row("Fargate memory", "$1.62"),
            row("Public IPv4 address", "$3.65"),
            row("Application Load Balancer", "$16.43"),
            row("Load balancer capacity (LCU)", "$5.84"),
            row("Load balancer public IPv4", "$7.30"),
            row("CloudWatch Logs ingestion", "$0.50"),
            row("CloudWatch Logs storage", "$0.03"),
            row("ECR storage", "$0.20"),
        ]
    );
    assert_eq!(
        text("[data-cost=\"total-monthly\"]").as_deref(),
        Some("$42.95")
    );
    let note = text("[data-cost=\"load-balancer\"]").unwrap();
    assert!(
        note.contains("1 LCU") && note.contains("ACM certificate is free"),
        "{note}"
    );
    assert!(text(".sources")
        .unwrap()
        .contains("S5 Application Load Balancer"));

    // 3 LCU: 730 × 3 × 0.008 = 17.52; 42.954614 − 5.84 + 17.52 = 54.634614.
    assert_eq!(lcus().value(), "1");
    set_lcus("3").await;
    assert!(rows().contains(&row("Load balancer capacity (LCU)", "$17.52")));
    assert_eq!(
        text("[data-cost=\"total-monthly\"]").as_deref(),
        Some("$54.63")
    );
}

#[wasm_bindgen_test]
async fn a_public_ip_config_shows_no_load_balancer_and_autoscaling_its_most() {
    // Two tasks, autoscaling 1–4: 26.049639 a month; at 4 tasks 51.369689
    // (keyless-core's cost_figures.rs).
    let state = state(|raw| {
        raw.desired_count = "2".into();
        raw.min_count = "1".into();
        raw.max_count = "4".into();
        raw.cpu_target_percent = "70".into();
    });
    mount(move || view! { <CostPanel state /> });
    leptos::task::tick().await;
    let names: Vec<_> = rows().into_iter().map(|(name, _)| name).collect();
    assert!(
        names
            .iter()
            .all(|n| !n.to_lowercase().contains("load balancer")),
        "{names:?}"
    );
    assert!(text("[data-cost=\"load-balancer\"]").is_none());
    assert_eq!(
        text("[data-cost=\"total-monthly\"]").as_deref(),
        Some("$26.05")
    );
    // The LCU assumption, like the Spot discount, is there but prices nothing here.
    set_lcus("5").await;
    assert_eq!(
        text("[data-cost=\"total-monthly\"]").as_deref(),
        Some("$26.05")
    );
    let most = text("[data-compare=\"autoscaling\"]").unwrap();
    assert!(most.contains("4 tasks all month: $51.37 a month"), "{most}");
}
