//! The config as a file: import (picker or drag-and-drop), export, share link, reset.

use keyless_core::bundle::CONFIG_PATH;
use keyless_core::RawConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::browser;
use crate::components::front_door::canonical_ingress;
use crate::components::on_click;
use crate::persist;
use crate::state::{FormState, Touched};

/// Import, export, share and reset buttons, and the drop zone for `keyless.json`.
#[component]
pub fn ConfigFileActions(
    /// The store the actions read and replace.
    state: FormState,
) -> impl IntoView {
    let message = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);
    let import_text = move |text: String| {
        let (raw, errors) = RawConfig::from_json(&text);
        if errors.0.iter().any(|e| e.key == "keyless.json") {
            message.set(format!("Not imported: {errors}"));
            return;
        }
        state.raw.set(normalise(raw));
        state.touched.set(Touched::ALL);
        message.set(if errors.0.is_empty() {
            "Imported keyless.json.".into()
        } else {
            format!("Imported, with problems: {errors}")
        });
    };
    let read_file = move |file: web_sys::File| {
        spawn_local(async move {
            match JsFuture::from(file.text()).await {
                Ok(text) => import_text(text.as_string().unwrap_or_default()),
                Err(_) => message.set("Could not read that file.".into()),
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            read_file(file);
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            read_file(file);
        }
    };
    let export = move |_| {
        let text = state.result.with_untracked(|r| {
            r.as_ref()
                .ok()
                .and_then(|g| g.bundle.file(CONFIG_PATH))
                .map(str::to_string)
        });
        match text {
            Some(text) => browser::download("keyless.json", text.as_bytes(), "application/json"),
            None => message.set("Fix the problems first: only a valid config is exported.".into()),
        }
    };
    let share = move |_| {
        let url = persist::share_link(state);
        spawn_local(async move {
            let copied = browser::copy_text(&url).await;
            message.set(if copied {
                "Share link copied. The config is in the part after #, which browsers never send to a server.".into()
            } else {
                format!("Copy this link: {url}")
            });
        });
    };
    let reset = move |_| {
        if browser::confirm("Clear every answer and start again?") {
            browser::forget(persist::STORAGE_KEY);
            state.raw.set(FormState::initial_raw());
            state.touched.set(Default::default());
            state.epoch.update(|e| *e += 1);
            message.set("Cleared.".into());
        }
    };
    view! {
        <div class="config-file" class:dragging=move || dragging.get()
            on:dragover=move |ev| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop>
            <h2 class="small">"Your config"</h2>
            <div class="actions">
                <label class="button" for="import-file">"Import keyless.json"</label>
                <input id="import-file" class="visually-hidden" type="file" accept=".json,application/json" on:change=on_pick />
                <button type="button" on:click=on_click(export)>"Export keyless.json"</button>
                <button type="button" on:click=on_click(share)>"Copy share link"</button>
                <button type="button" on:click=on_click(reset)>"Reset"</button>
            </div>
            <p class="hint">"Or drop a keyless.json here."</p>
            <p class="feedback" role="status" aria-live="polite">{move || message.get().into_any()}</p>
        </div>
    }
}

/// Turns spellings the pickers do not list into the ones they do: sizes like
/// `0.25 vCPU` into CPU units and MiB, `ingress` like `alb` into `load_balancer`.
fn normalise(mut raw: RawConfig) -> RawConfig {
    raw.ingress = canonical_ingress(&raw.ingress);
    if let Ok(cpu) = keyless_core::config::parse_cpu(&raw.cpu) {
        raw.cpu = cpu.to_string();
    }
    if let Ok(memory) = keyless_core::config::parse_memory(&raw.memory) {
        raw.memory = memory.to_string();
    }
    raw
}
