//! The task size picker: CPU and memory selects that only offer valid Fargate pairs.

use keyless_core::config::{decimal, memory_options, FARGATE_CPUS};
use keyless_core::Field;
use leptos::prelude::*;

use super::field::SelectField;
use crate::state::FormState;

/// `1024` CPU units → `"1 vCPU"`, `256` → `"0.25 vCPU"`.
pub fn cpu_label(units: u32) -> String {
    format!("{} vCPU", decimal(units, 1024))
}

/// `512` MiB → `"0.5 GB"`, `2048` → `"2 GB"`.
pub fn memory_label(mib: u32) -> String {
    format!("{} GB", decimal(mib, 1024))
}

fn cpu_options(_: FormState) -> Vec<(String, String)> {
    FARGATE_CPUS
        .iter()
        .map(|&cpu| (cpu.to_string(), cpu_label(cpu)))
        .collect()
}

/// The memory amounts Fargate allows for the current CPU.
fn memory_choices(state: FormState) -> Vec<(String, String)> {
    state
        .raw
        .with(|r| r.cpu.trim().parse::<u32>().ok())
        .map(memory_options)
        .unwrap_or_default()
        .into_iter()
        .map(|mib| (mib.to_string(), memory_label(mib)))
        .collect()
}

/// CPU and memory selects. Changing the CPU keeps the memory if it is still valid,
/// else picks the smallest valid amount, so the pair is always one Fargate accepts.
#[component]
pub fn SizePicker(
    /// The store the picker reads and writes.
    state: FormState,
) -> impl IntoView {
    let keep_memory_valid = Callback::new(move |cpu: String| {
        let Ok(cpu) = cpu.parse::<u32>() else { return };
        let options = memory_options(cpu);
        let memory = state
            .raw
            .with_untracked(|r| r.memory.trim().parse::<u32>().ok());
        if !memory.is_some_and(|m| options.contains(&m)) {
            if let Some(&smallest) = options.first() {
                state.set(Field::Memory, smallest.to_string());
            }
        }
    });
    view! {
        <div class="size-picker">
            <SelectField state field=Field::Cpu label="CPU" options=cpu_options on_change=keep_memory_valid />
            <SelectField state field=Field::Memory label="Memory" options=memory_choices
                hint="Only the amounts Fargate allows for this CPU" />
        </div>
    }
}
