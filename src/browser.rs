//! The outside world the page touches: clipboard, downloads, localStorage, the URL
//! fragment, dialogs and the theme. Nothing here sends anything over the network.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn window() -> web_sys::Window {
    web_sys::window().expect("the app runs in a browser window")
}

/// The page's document.
pub fn document() -> web_sys::Document {
    window().document().expect("a window has a document")
}

/// Copies `text` to the clipboard; `false` if the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let promise = window().navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// Offers `bytes` as a file download named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = window().document().expect("a document");
    if let Ok(anchor) = document.create_element("a") {
        let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The value stored under `key` in localStorage.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Stores `value` under `key` in localStorage (silently skipped if storage is off).
pub fn save(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

/// Removes `key` from localStorage.
pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

/// The URL fragment without its `#`, decoded.
pub fn fragment() -> String {
    let hash = window().location().hash().unwrap_or_default();
    let raw = hash.strip_prefix('#').unwrap_or(&hash);
    js_sys::decode_uri_component(raw)
        .map(String::from)
        .unwrap_or_default()
}

/// This page's path and query with `text` as its (encoded) fragment.
fn path_with_fragment(text: &str) -> String {
    let location = window().location();
    format!(
        "{}{}#{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default(),
        String::from(js_sys::encode_uri_component(text))
    )
}

/// Replaces the URL fragment (no new history entry; the fragment never reaches a server).
pub fn set_fragment(text: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&path_with_fragment(text)),
        );
    }
}

/// The full URL of this page with `text` as its fragment (a share link).
pub fn url_with_fragment(text: &str) -> String {
    format!(
        "{}{}",
        window().location().origin().unwrap_or_default(),
        path_with_fragment(text)
    )
}

/// Asks the user to confirm; `false` if they cancel.
pub fn confirm(message: &str) -> bool {
    window().confirm_with_message(message).unwrap_or(false)
}

/// Sets `data-theme` on the root element: `"light"`, `"dark"`, or `""` for the system's.
pub fn apply_theme(theme: &str) {
    if let Some(root) = window().document().and_then(|d| d.document_element()) {
        if theme.is_empty() {
            let _ = root.remove_attribute("data-theme");
        } else {
            let _ = root.set_attribute("data-theme", theme);
        }
    }
}

/// Moves keyboard focus to the element with `id`.
pub fn focus(id: &str) {
    if let Some(element) = window().document().and_then(|d| d.get_element_by_id(id)) {
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
}

/// Focuses the element with `id` and scrolls it into view once the page has
/// rendered what the current event changed (an element shown by this very
/// event, such as the error summary of a first failed Next, is still hidden now).
pub fn focus_after_render(id: &str) {
    let id = id.to_string();
    leptos::prelude::set_timeout(
        move || {
            focus(&id);
            if let Some(element) = window().document().and_then(|d| d.get_element_by_id(&id)) {
                element.scroll_into_view();
            }
        },
        std::time::Duration::ZERO,
    );
}
