//! One generated file: its path, its exact text and a copy button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

/// Shows a generated file. The `<pre data-artifact=PATH>` holds exactly the file's text.
#[component]
pub fn ArtifactView(
    /// The file's path in the user's repository.
    path: &'static str,
    /// The file's text.
    text: Signal<String>,
) -> impl IntoView {
    let feedback = RwSignal::new("");
    let copy = move |_| {
        let content = text.get_untracked();
        spawn_local(async move {
            let done = match web_sys::window() {
                Some(window) => JsFuture::from(window.navigator().clipboard().write_text(&content))
                    .await
                    .is_ok(),
                None => false,
            };
            feedback.set(if done {
                "Copied"
            } else {
                "Copy failed: select the text and copy it"
            });
            set_timeout(move || feedback.set(""), std::time::Duration::from_secs(2));
        });
    };
    view! {
        <section class="artifact" aria-label=path>
            <header>
                <h3><code>{path}</code></h3>
                <button type="button" class="copy" on:click=copy>"Copy"</button>
                <span class="feedback" role="status" aria-live="polite">{move || feedback.get()}</span>
            </header>
            <pre data-artifact=path tabindex="0">{move || text.get()}</pre>
        </section>
    }
}
