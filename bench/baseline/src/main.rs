//! The baseline: one labelled input and one output that follows it, so the load
//! benchmark waits for the same things as on the Keyless page (a focusable field
//! and a rendered `data-artifact`).
use leptos::prelude::*;

fn main() {
    mount_to_body(|| {
        let name = RwSignal::new("world".to_string());
        view! {
            <main>
                <h1>"Hello"</h1>
                <label for="name">"Name"</label>
                <input id="name" type="text" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
                <pre data-artifact="hello.txt">{move || format!("Hello, {}!", name.get())}</pre>
            </main>
        }
    })
}
