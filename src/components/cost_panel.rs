//! The monthly cost panel: line items, totals, a bar chart drawn in SVG with a text
//! alternative, and the comparisons users ask for (ARM vs x86, Spot, the five
//! cheapest regions, the most tasks autoscaling may run), from the embedded price
//! table whose sources and date it shows. With a load balancer, its hours, LCUs and
//! addresses are lines of the bill, and its LCUs one more usage assumption.

use keyless_core::cost::{
    cheapest_regions, compare_architectures, compare_spot, default_spot_discount_percent, estimate,
    prices, CostEstimate, CostInputs, Exact, PriceTable, CHEAPEST_REGION_COUNT, LCU_DEFINITION,
};
use leptos::prelude::*;

use crate::state::FormState;

/// The usage assumptions as typed (not part of keyless.json: they describe usage,
/// not infrastructure).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Assumptions {
    log_gb: String,
    image_gb: String,
    images_kept: String,
    spot_percent: String,
    lcus: String,
}

impl Default for Assumptions {
    fn default() -> Self {
        let usage = keyless_core::cost::Usage::default();
        Assumptions {
            log_gb: usage.log_ingest_gb_month.to_decimal_string(4),
            image_gb: usage.image_size_gb.to_decimal_string(4),
            images_kept: usage.images_kept.to_string(),
            spot_percent: default_spot_discount_percent().to_decimal_string(2),
            lcus: usage.load_balancer_lcus.to_decimal_string(4),
        }
    }
}

/// The inputs of the estimate: the last valid config plus the assumptions.
fn inputs_of(
    config: &keyless_core::ValidConfig,
    assumptions: &Assumptions,
) -> Result<CostInputs, String> {
    let mut inputs = CostInputs::from(config);
    let gb = |text: &str, what: &str| Exact::parse(text.trim()).map_err(|e| format!("{what}: {e}"));
    inputs.usage.log_ingest_gb_month = gb(&assumptions.log_gb, "Logs per month")?;
    inputs.usage.log_storage_gb = keyless_core::cost::Usage::log_storage_for_retention(
        inputs.usage.log_ingest_gb_month,
        config.log_retention_days,
    );
    inputs.usage.image_size_gb = gb(&assumptions.image_gb, "Image size")?;
    inputs.usage.images_kept = assumptions
        .images_kept
        .trim()
        .parse()
        .map_err(|_| "Images kept: a whole number, e.g. 10".to_string())?;
    if config.use_spot {
        inputs.spot_discount_percent = gb(&assumptions.spot_percent, "Spot discount")?;
    }
    if inputs.load_balancer.is_some() {
        inputs.usage.load_balancer_lcus = gb(&assumptions.lcus, "Load balancer LCUs")?;
    }
    inputs.check().map_err(|e| e.to_string())?;
    Ok(inputs)
}

/// The cost panel.
#[component]
pub fn CostPanel(
    /// The store whose last valid config is priced.
    state: FormState,
) -> impl IntoView {
    let assumptions = RwSignal::new(Assumptions::default());
    // The estimate and its inputs, or why there is none; `None` until a config is valid.
    let priced = Memo::new(move |_| {
        state.shown.with(|g| {
            g.as_ref().map(|g| {
                let inputs = assumptions.with(|a| inputs_of(&g.config, a))?;
                let bill = estimate(&inputs).map_err(|e| e.to_string())?;
                Ok::<_, String>((bill, inputs))
            })
        })
    });
    let table = prices();
    view! {
        <section class="cost" aria-labelledby="cost-title">
            <h2 id="cost-title">"Monthly cost"</h2>
            {move || match priced.get() {
                None => view! { <p class="empty">"The estimate appears once the form is valid."</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Some(Ok((bill, inputs))) => view! { <Bill bill inputs /> }.into_any(),
            }}
            <details class="assumptions">
                <summary>"Usage assumptions"</summary>
                <AssumptionField id="cost-log-gb" label="Logs sent per month (GB)" assumptions
                    get=|a| a.log_gb.clone() set=|a, v| a.log_gb = v />
                <AssumptionField id="cost-image-gb" label="Image size (GB)" assumptions
                    get=|a| a.image_gb.clone() set=|a, v| a.image_gb = v />
                <AssumptionField id="cost-images-kept" label="Images kept in ECR" assumptions
                    get=|a| a.images_kept.clone() set=|a, v| a.images_kept = v />
                <AssumptionField id="cost-spot" label="Spot discount (%)" assumptions
                    get=|a| a.spot_percent.clone() set=|a, v| a.spot_percent = v />
                <AssumptionField id="cost-lcus" label="Load balancer LCUs (average)" assumptions
                    get=|a| a.lcus.clone() set=|a, v| a.lcus = v />
                <p class="hint">{format!("With a load balancer; 1 is light traffic: {LCU_DEFINITION}. The load balancer's ConsumedLCUs metric shows yours.")}</p>
                <p class="hint">"Spot has no fixed price: AWS says up to 70% off and it floats. The Spot figure is an estimate at the discount you set."</p>
            </details>
            <p class="sources">
                {format!("Prices in {} as of {}, {} hours a month, from AWS's public price lists: ", PriceTable::CURRENCY, table.as_of, table.hours_per_month)}
                {table.sources.iter().filter(|s| ["S1", "S3", "S4", "S5", "S6", "S9"].contains(&s.id)).map(|s| {
                    let text = format!("{} {}", s.id, s.what);
                    match s.link {
                        Some(link) => view! { <a href=link.to_string() rel="noopener">{text}</a>" " }.into_any(),
                        None => view! { <span>{text}" "</span> }.into_any(),
                    }
                }).collect_view()}
            </p>
        </section>
    }
}

#[component]
fn AssumptionField(
    id: &'static str,
    label: &'static str,
    assumptions: RwSignal<Assumptions>,
    get: fn(&Assumptions) -> String,
    set: fn(&mut Assumptions, String),
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" inputmode="decimal" spellcheck="false"
                prop:value=move || assumptions.with(get)
                on:input=move |ev| assumptions.update(|a| set(a, event_target_value(&ev))) />
        </div>
    }
}

/// The line items, totals, chart and comparisons of one estimate.
#[component]
fn Bill(bill: CostEstimate, inputs: CostInputs) -> impl IntoView {
    let total = bill.total_monthly;
    let chart = chart(&bill);
    let architectures = compare_architectures(&inputs).ok();
    let spot_base = CostInputs {
        spot_discount_percent: Exact::int(0),
        ..inputs.clone()
    };
    let spot_percent = if inputs.is_spot() {
        inputs.spot_discount_percent
    } else {
        default_spot_discount_percent()
    };
    let spot = compare_spot(&spot_base, spot_percent).ok();
    let regions = cheapest_regions(&inputs, CHEAPEST_REGION_COUNT).unwrap_or_default();
    let at_most_tasks = inputs
        .autoscaling
        .filter(|range| range.max != inputs.task_count)
        .zip(bill.total_monthly_at_max_tasks());
    let load_balancer_note = inputs.load_balancer.map(|lb| {
        format!(
            "The load balancer is priced at {} LCU on average (change it under Usage assumptions) and {} public IPv4 addresses, one per Availability Zone.{}",
            inputs.usage.load_balancer_lcus.to_decimal_string(4),
            lb.zones,
            if lb.https { " Its ACM certificate is free." } else { "" }
        )
    });
    let current_region = inputs.region.clone();
    view! {
        <p class="total">
            <span data-cost="total-monthly">{total.usd()}</span>" per month · "
            <span data-cost="total-yearly">{bill.total_yearly().usd()}</span>" per year"
            {bill.is_estimate().then_some(" (Spot: estimate)")}
        </p>
        <table class="cost-items">
            <caption class="visually-hidden">{format!("Monthly cost in {}", bill.region_name)}</caption>
            <thead><tr><th scope="col">"Item"</th><th scope="col">"Monthly"</th><th scope="col">"Quantity"</th><th scope="col">"Unit price"</th><th scope="col">"Source"</th></tr></thead>
            <tbody>
                {bill.items.iter().map(|item| view! {
                    <tr data-cost-item=item.name>
                        <th scope="row">{item.name}</th>
                        <td class="amount" data-cost="monthly">{item.monthly.usd()}</td>
                        <td>{format!("{} {}", item.quantity.to_decimal_string(4), item.unit)}</td>
                        <td>{format!("${}", item.unit_price.to_decimal_string(8))}</td>
                        <td>{item.sources.join(", ")}</td>
                    </tr>
                }.into_any()).collect_view()}
            </tbody>
        </table>
        {load_balancer_note.map(|note| view! { <p class="hint" data-cost="load-balancer">{note}</p> })}
        {(!bill.unpriced.is_empty()).then(|| view! {
            <p class="stale">"Some items have no published price in this region and are not counted: "
                {bill.unpriced.iter().map(|u| u.kind.name()).collect::<Vec<_>>().join(", ")}</p>
        })}
        {chart}
        <h3>"Compare"</h3>
        <ul class="comparisons">
            {architectures.map(|c| view! {
                <li data-compare="architecture">{format!(
                    "Same task on ARM (Graviton): {} a month; on x86: {} ({} {} on ARM)",
                    c.arm.total_monthly.usd(), c.x86.total_monthly.usd(),
                    c.arm_saving_monthly().usd(),
                    if c.arm_saving_monthly().is_negative() { "more" } else { "saved" }
                )}</li>
            })}
            {spot.map(|s| view! {
                <li data-compare="spot">{format!(
                    "On Fargate Spot at {}% off (an estimate): {} a month, {} less than on demand ({})",
                    spot_percent.to_decimal_string(2), s.spot.total_monthly.usd(),
                    s.spot_saving_monthly().usd(), s.on_demand.total_monthly.usd()
                )}</li>
            })}
            {at_most_tasks.map(|(range, total)| view! {
                <li data-compare="autoscaling">{format!(
                    "With autoscaling at its most, {} tasks all month: {} a month (the estimate prices the starting {})",
                    range.max, total.usd(), inputs.task_count
                )}</li>
            })}
        </ul>
        <h4>{format!("The {CHEAPEST_REGION_COUNT} cheapest regions for this task")}</h4>
        <ol class="regions" data-compare="regions">
            {regions.into_iter().map(|r| view! {
                <li class:current=r.code == current_region>
                    {format!("{} — {}: {}", r.name, r.code, r.total_monthly.usd())}
                </li>
            }.into_any()).collect_view()}
        </ol>
    }
}

/// A horizontal bar per line item, scaled to the largest; the `<title>` and `<desc>`
/// carry the same figures as text. Integer geometry: no float formatting in the wasm.
fn chart(bill: &CostEstimate) -> impl IntoView {
    const WIDTH: i128 = 320;
    const BAR: usize = 18;
    const ROW: usize = 26;
    const LABEL: i128 = 190;
    let largest = bill
        .items
        .iter()
        .map(|i| i.monthly.cents())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * bill.items.len();
    let description = bill
        .items
        .iter()
        .map(|i| format!("{}: {}", i.name, i.monthly.usd()))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <svg class="chart" role="img" aria-labelledby="cost-chart-title cost-chart-desc"
            viewBox=format!("0 0 {} {height}", LABEL + WIDTH + 70) width="100%">
            <title id="cost-chart-title">"Monthly cost by item"</title>
            <desc id="cost-chart-desc">{description}</desc>
            {bill.items.iter().enumerate().map(|(row, item)| {
                let y = row * ROW;
                let text_y = (y + BAR * 3 / 4).to_string();
                let width = (item.monthly.cents() * WIDTH / largest).max(1);
                view! {
                    <g>
                        <text x="0" y=text_y.clone() class="chart-label">{item.name}</text>
                        <rect x=LABEL.to_string() y=y.to_string() width=width.to_string() height=BAR.to_string() rx="3" class="chart-bar" />
                        <text x=(LABEL + width + 6).to_string() y=text_y class="chart-value">{item.monthly.usd()}</text>
                    </g>
                }.into_any()
            }).collect_view()}
        </svg>
    }
}
