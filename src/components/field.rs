//! A labelled form field bound to one config field, with its error message next to it.

use keyless_core::Field;
use leptos::prelude::*;

use crate::state::FormState;

/// A text input for one scalar field of the config.
#[component]
pub fn TextField(
    /// The store the field reads and writes.
    state: FormState,
    /// Which config field this is.
    field: Field,
    /// The visible label.
    label: &'static str,
    /// A short hint under the label.
    #[prop(optional)]
    hint: &'static str,
    /// The example shown while empty.
    #[prop(optional)]
    placeholder: &'static str,
) -> impl IntoView {
    let key = field.key();
    let id = format!("field-{key}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = error_signal(state, field);
    let describedby = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id.clone()
                name=key
                type="text"
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=describedby
                prop:value=move || state.raw.with(|r| r.scalar(field).to_string())
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    state.raw.update(|r| *r.scalar_mut(field) = value);
                    state.touched.update(|t| {
                        if !t.contains(&key) {
                            t.push(key);
                        }
                    });
                }
            />
            <p class="error" id=error_id.clone() role="alert" hidden=move || error.with(Option::is_none)>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// A select for the region, listing every supported region by name.
#[component]
pub fn RegionField(
    /// The store the field reads and writes.
    state: FormState,
) -> impl IntoView {
    let field = Field::Region;
    let error = error_signal(state, field);
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for="field-region">"AWS region"</label>
            <select
                id="field-region"
                name="region"
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby="field-region-error"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    state.raw.update(|r| r.region = value);
                }
            >
                {keyless_core::regions::REGIONS
                    .iter()
                    .map(|&(code, name)| {
                        // `selected` per option: a `value` on the select would be set
                        // before its options exist and pick the first one.
                        view! {
                            <option value=code selected=move || state.raw.with(|r| r.region == code)>
                                {format!("{name} — {code}")}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="error" id="field-region-error" role="alert" hidden=move || error.with(Option::is_none)>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// The error message of `field`, once the user has touched it.
fn error_signal(state: FormState, field: Field) -> Signal<Option<String>> {
    Signal::derive(move || {
        if !state.touched.with(|t| t.contains(&field.key())) {
            return None;
        }
        state.bundle.with(|b| match b {
            Ok(_) => None,
            Err(errors) => errors.for_field(field).map(str::to_string),
        })
    })
}
