//! Light, dark or the system's theme, remembered in localStorage.

use leptos::prelude::*;

use crate::browser;

const THEME_KEY: &str = "keyless.theme";

/// A select for the colour theme.
#[component]
pub fn ThemePicker() -> impl IntoView {
    let theme = RwSignal::new(browser::load(THEME_KEY).unwrap_or_default());
    Effect::new(move |_| {
        let value = theme.get();
        browser::apply_theme(&value);
        browser::save(THEME_KEY, &value);
    });
    view! {
        <label class="theme">
            "Theme "
            <select on:change=move |ev| theme.set(event_target_value(&ev))>
                {[("", "System"), ("light", "Light"), ("dark", "Dark")].into_iter().map(|(value, label)| view! {
                    <option value=value selected=move || theme.get() == value>{label}</option>
                }.into_any()).collect_view()}
            </select>
        </label>
    }
}
