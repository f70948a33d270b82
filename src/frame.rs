//! The static frame of `index.html` (header, intro, the steps' names, footer) is
//! painted before the wasm arrives. This module attaches behaviour to it and mounts
//! the app into `#app`, in place of the frame's stepper.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::browser;

/// Where the chosen colour theme is remembered.
const THEME_KEY: &str = "keyless.theme";

/// Attaches the frame's links and theme select, then mounts the app. The frame's
/// stepper is removed and the app's drawn in the same task, so no frame is painted
/// between them and the app's (same markup, same place) moves nothing.
pub fn start() {
    let document = browser::document();
    on(&document, "skip-to-form", "click", |ev| {
        ev.prevent_default();
        browser::focus("wizard-title");
    });
    on(&document, "intro-files", "click", |ev| {
        ev.prevent_default();
        browser::focus("preview-title");
    });
    attach_theme_select(&document);
    let root: web_sys::HtmlElement = document
        .get_element_by_id("app")
        .expect("index.html has a #app")
        .unchecked_into();
    root.set_text_content(None);
    leptos::mount::mount_to(root, crate::App).forget();
}

/// Runs `handler` on `event` of the frame's element `id` for the page's lifetime.
fn on(
    document: &web_sys::Document,
    id: &str,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) {
    let Some(element) = document.get_element_by_id(id) else {
        return;
    };
    let handler = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    let _ = element.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    // The frame lives as long as the page, and so does its handler.
    handler.forget();
}

/// The theme select: light, dark or the system's, remembered in localStorage.
fn attach_theme_select(document: &web_sys::Document) {
    let Some(select) = document
        .get_element_by_id("theme-select")
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
    else {
        return;
    };
    let stored = browser::load(THEME_KEY).unwrap_or_default();
    select.set_value(&stored);
    browser::apply_theme(&stored);
    on(document, "theme-select", "change", move |_| {
        let value = select.value();
        browser::apply_theme(&value);
        browser::save(THEME_KEY, &value);
    });
}
