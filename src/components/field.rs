//! Form controls bound to one config field each, with a label, an optional hint and
//! the field's error next to it (`aria-invalid` and `aria-describedby` wired).

use keyless_core::Field;
use leptos::prelude::*;

use crate::components::on_click;
use crate::state::FormState;

/// The ids of a field's elements.
struct FieldIds {
    input: String,
    hint: String,
    error: String,
}

impl FieldIds {
    fn new(field: Field) -> Self {
        let input = format!("field-{}", field.key());
        FieldIds {
            hint: format!("{input}-hint"),
            error: format!("{input}-error"),
            input,
        }
    }
}

/// The error shown next to a field, once touched: read inside the view's closures,
/// which track what it reads (a derived signal would be one more signal type).
#[derive(Clone, Copy)]
struct ShownError {
    state: FormState,
    field: Field,
}

impl ShownError {
    fn get(self) -> Option<String> {
        self.state.shown_error(self.field)
    }

    fn is_some(self) -> bool {
        self.get().is_some()
    }
}

/// `aria-describedby`: the hint (if any) and the error (while shown).
fn described_by(field: Field, has_hint: bool, error: ShownError) -> String {
    let ids = FieldIds::new(field);
    match (has_hint, error.is_some()) {
        (true, true) => format!("{} {}", ids.hint, ids.error),
        (true, false) => ids.hint,
        (false, true) => ids.error,
        (false, false) => String::new(),
    }
}

/// The hint and error paragraphs every control shares.
fn hint_and_error(ids: &FieldIds, hint: &'static str, error: ShownError) -> impl IntoView {
    view! {
        {(!hint.is_empty()).then(|| view! { <p class="hint" id=ids.hint.clone()>{hint}</p> })}
        <p class="error" id=ids.error.clone() hidden=move || !error.is_some()>
            {move || error.get().unwrap_or_default().into_any()}
        </p>
    }
}

/// A text input's example text.
#[derive(Clone, Copy)]
pub enum Placeholder {
    /// Always the same text.
    Fixed(&'static str),
    /// Computed from the store, kept current as the answers change.
    FromForm(fn(FormState) -> String),
}

impl Default for Placeholder {
    fn default() -> Self {
        Placeholder::Fixed("")
    }
}

impl From<&'static str> for Placeholder {
    fn from(text: &'static str) -> Self {
        Placeholder::Fixed(text)
    }
}

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
    #[prop(optional, into)]
    placeholder: Placeholder,
    /// `inputmode` for on-screen keyboards, e.g. `numeric`.
    #[prop(optional)]
    inputmode: &'static str,
) -> impl IntoView {
    let ids = FieldIds::new(field);
    let error = ShownError { state, field };
    view! {
        <div class="field" class:invalid=move || error.is_some()>
            <label for=ids.input.clone()>{label}</label>
            <input
                id=ids.input.clone()
                name=field.key()
                type="text"
                autocomplete="off"
                spellcheck="false"
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                placeholder=move || match placeholder {
                    Placeholder::Fixed(text) => text.to_string(),
                    Placeholder::FromForm(compute) => compute(state),
                }
                aria-invalid=move || error.is_some().to_string()
                aria-describedby=move || described_by(field, !hint.is_empty(), error)
                prop:value=move || state.raw.with(|r| r.scalar(field).to_string())
                on:input=move |ev| state.set(field, event_target_value(&ev))
            />
            {hint_and_error(&ids, hint, error)}
        </div>
    }
}

/// A select for one scalar field: `(value, label)` options.
#[component]
pub fn SelectField(
    /// The store the field reads and writes.
    state: FormState,
    /// Which config field this is.
    field: Field,
    /// The visible label.
    label: &'static str,
    /// The options, `(value, label)`, computed from the store (and kept current:
    /// the list is built again when what it reads changes).
    options: fn(FormState) -> Vec<(String, String)>,
    /// A short hint under the label.
    #[prop(optional)]
    hint: &'static str,
    /// Called after the value changed, with the new value (e.g. to keep a paired field valid).
    #[prop(optional)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    let ids = FieldIds::new(field);
    let error = ShownError { state, field };
    view! {
        <div class="field" class:invalid=move || error.is_some()>
            <label for=ids.input.clone()>{label}</label>
            <select
                id=ids.input.clone()
                name=field.key()
                aria-invalid=move || error.is_some().to_string()
                aria-describedby=move || described_by(field, !hint.is_empty(), error)
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    state.set(field, value.clone());
                    if let Some(callback) = on_change {
                        callback.run(value);
                    }
                }
            >
                {move || {
                    options(state)
                        .into_iter()
                        .map(|(value, text)| {
                            // `selected` per option: a `value` on the select would be set
                            // before its options exist and pick the first one.
                            let current = value.clone();
                            view! {
                                <option
                                    value=value
                                    selected=move || state.raw.with(|r| r.scalar(field) == current)
                                >
                                    {text}
                                </option>
                            }.into_any()
                        })
                        .collect_view().into_any()
                }}
            </select>
            {hint_and_error(&ids, hint, error)}
        </div>
    }
}

/// A checkbox for a boolean field stored as `"true"`/`"false"` (empty = `default`).
#[component]
pub fn CheckboxField(
    /// The store the field reads and writes.
    state: FormState,
    /// Which config field this is.
    field: Field,
    /// The visible label.
    label: &'static str,
    /// The value an empty field stands for.
    default: bool,
    /// A short hint under the label.
    #[prop(optional)]
    hint: &'static str,
) -> impl IntoView {
    let ids = FieldIds::new(field);
    let error = ShownError { state, field };
    view! {
        <div class="field checkbox" class:invalid=move || error.is_some()>
            <input
                id=ids.input.clone()
                name=field.key()
                type="checkbox"
                aria-describedby=move || described_by(field, !hint.is_empty(), error)
                prop:checked=move || {
                    state.raw.with(|r| match r.scalar(field).trim() {
                        "" => default,
                        text => text == "true",
                    })
                }
                on:change=move |ev| state.set(field, event_target_checked(&ev).to_string())
            />
            <label for=ids.input.clone()>{label}</label>
            {hint_and_error(&ids, hint, error)}
        </div>
    }
}

/// A group of radio buttons for one scalar field: `(value, label)` choices.
#[component]
pub fn RadioField(
    /// The store the field reads and writes.
    state: FormState,
    /// Which config field this is.
    field: Field,
    /// The group's legend.
    legend: &'static str,
    /// The choices, `(value, label)`.
    choices: &'static [(&'static str, &'static str)],
    /// A short hint under the legend.
    #[prop(optional)]
    hint: &'static str,
    /// The choice an empty field stands for (checked until another is picked).
    #[prop(optional)]
    default: &'static str,
    /// One sentence under each choice, in the order of `choices` (none when empty).
    #[prop(optional)]
    descriptions: &'static [&'static str],
    /// Live text after a choice's description, computed from the store for that
    /// choice's value (e.g. what it costs); empty for none.
    #[prop(optional)]
    note: Option<fn(FormState, &'static str) -> String>,
) -> impl IntoView {
    let ids = FieldIds::new(field);
    let error = ShownError { state, field };
    view! {
        <fieldset
            class="field radio"
            class:invalid=move || error.is_some()
            id=ids.input.clone()
            aria-describedby=move || described_by(field, !hint.is_empty(), error)
        >
            <legend>{legend}</legend>
            {choices
                .iter()
                .enumerate()
                .map(|(i, &(value, text))| {
                    let id = format!("{}-{}", ids.input, value.to_ascii_lowercase());
                    let description = descriptions.get(i).copied().unwrap_or_default();
                    let description_id = format!("{id}-description");
                    view! {
                        <label for=id.clone() class="choice">
                            <input
                                type="radio"
                                id=id.clone()
                                name=field.key()
                                value=value
                                aria-describedby=(!description.is_empty()).then(|| description_id.clone())
                                prop:checked=move || state.raw.with(|r| match r.scalar(field).trim() {
                                    "" => value == default,
                                    chosen => chosen == value,
                                })
                                on:change=move |_| state.set(field, value.to_string())
                            />
                            {text}
                        </label>
                        // Present for every choice (hidden without a sentence): one shape of
                        // view for all radio groups is less wasm than an optional one.
                        <p class="hint choice-hint" id=description_id hidden=description.is_empty()>
                            {description}" "
                            <strong class="choice-note">
                                {move || note.map(|note| note(state, value)).unwrap_or_default().into_any()}
                            </strong>
                        </p>
                    }.into_any()
                })
                .collect_view()}
            {hint_and_error(&ids, hint, error)}
        </fieldset>
    }
}

/// A textarea holding a list field, one item per line (subnets, security groups).
#[component]
pub fn LinesField(
    /// The store the field reads and writes.
    state: FormState,
    /// [`Field::Subnets`] or [`Field::SecurityGroups`].
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
    let ids = FieldIds::new(field);
    let error = ShownError { state, field };
    view! {
        <div class="field" class:invalid=move || error.is_some()>
            <label for=ids.input.clone()>{label}</label>
            <textarea
                id=ids.input.clone()
                name=field.key()
                rows="3"
                spellcheck="false"
                placeholder=placeholder
                aria-invalid=move || error.is_some().to_string()
                aria-describedby=move || described_by(field, !hint.is_empty(), error)
                prop:value=move || {
                    state.raw.with(|r| lines_of(r, field).join("\n"))
                }
                on:input=move |ev| {
                    let lines: Vec<String> = event_target_value(&ev).split('\n').map(str::to_string).collect();
                    state.raw.update(|r| *lines_of_mut(r, field) = lines);
                    state.touch(field);
                }
            ></textarea>
            {hint_and_error(&ids, hint, error)}
        </div>
    }
}

fn lines_of(raw: &keyless_core::RawConfig, field: Field) -> &Vec<String> {
    match field {
        Field::Subnets => &raw.subnets,
        _ => &raw.security_groups,
    }
}

fn lines_of_mut(raw: &mut keyless_core::RawConfig, field: Field) -> &mut Vec<String> {
    match field {
        Field::Subnets => &mut raw.subnets,
        _ => &mut raw.security_groups,
    }
}

/// An editable list of `NAME = value` pairs (environment variables, secrets).
#[component]
pub fn PairsField(
    /// The store the field reads and writes.
    state: FormState,
    /// [`Field::EnvironmentVariables`] or [`Field::Secrets`].
    field: Field,
    /// The group's legend.
    legend: &'static str,
    /// Label of the value column.
    value_label: &'static str,
    /// A short hint under the legend.
    #[prop(optional)]
    hint: &'static str,
    /// The example value shown while empty.
    #[prop(optional)]
    value_placeholder: &'static str,
) -> impl IntoView {
    let ids = FieldIds::new(field);
    let error = ShownError { state, field };
    let count = Memo::new(move |_| state.raw.with(|r| pairs_of(r, field).len()));
    let edit = move |i: usize, name: Option<String>, value: Option<String>| {
        state.raw.update(|r| {
            if let Some(pair) = pairs_of_mut(r, field).get_mut(i) {
                if let Some(name) = name {
                    pair.0 = name;
                }
                if let Some(value) = value {
                    pair.1 = value;
                }
            }
        });
        state.touch(field);
    };
    let row = move |i: usize| {
        let base = FieldIds::new(field).input;
        let name_id = format!("{base}-{i}-name");
        let value_id = format!("{base}-{i}-value");
        let read = move |second: bool| {
            state.raw.with(|r| {
                pairs_of(r, field)
                    .get(i)
                    .map(|p| if second { p.1.clone() } else { p.0.clone() })
                    .unwrap_or_default()
            })
        };
        view! {
            <li class="pair">
                <label for=name_id.clone() class="visually-hidden">{format!("{legend} {}: name", i + 1)}</label>
                <input id=name_id type="text" spellcheck="false" autocomplete="off" placeholder="NAME"
                    prop:value=move || read(false)
                    on:input=move |ev| edit(i, Some(event_target_value(&ev)), None) />
                <label for=value_id.clone() class="visually-hidden">{format!("{legend} {}: {value_label}", i + 1)}</label>
                <input id=value_id type="text" spellcheck="false" autocomplete="off" placeholder=value_placeholder
                    prop:value=move || read(true)
                    on:input=move |ev| edit(i, None, Some(event_target_value(&ev))) />
                <button type="button" class="remove"
                    aria-label=format!("Remove {legend} {}", i + 1)
                    on:click=on_click(move |_| {
                        state.raw.update(|r| {
                            let pairs = pairs_of_mut(r, field);
                            if i < pairs.len() {
                                pairs.remove(i);
                            }
                        });
                        state.touch(field);
                    })
                >"Remove"</button>
            </li>
        }.into_any()
    };
    view! {
        <fieldset class="field pairs" class:invalid=move || error.is_some()
            id=ids.input.clone()
            aria-describedby=move || described_by(field, !hint.is_empty(), error)>
            <legend>{legend}</legend>
            <ul>{move || (0..count.get()).map(row).collect_view().into_any()}</ul>
            <button type="button" class="add"
                on:click=on_click(move |_| state.raw.update(|r| pairs_of_mut(r, field).push(Default::default())))
            >{format!("Add {}", legend.to_ascii_lowercase().trim_end_matches('s'))}</button>
            {hint_and_error(&ids, hint, error)}
        </fieldset>
    }
}

fn pairs_of(raw: &keyless_core::RawConfig, field: Field) -> &Vec<(String, String)> {
    match field {
        Field::Secrets => &raw.secrets,
        _ => &raw.environment_variables,
    }
}

fn pairs_of_mut(raw: &mut keyless_core::RawConfig, field: Field) -> &mut Vec<(String, String)> {
    match field {
        Field::Secrets => &mut raw.secrets,
        _ => &mut raw.environment_variables,
    }
}
