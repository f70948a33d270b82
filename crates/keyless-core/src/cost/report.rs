//! Rendering a [`CostEstimate`] for the `keyless cost` command: a plain-text
//! table and JSON. Both show the sources and the price table's date.

use std::path::PathBuf;

use serde::Serialize;

use super::PriceTable;
use super::{prices, CostEstimate, CostInputs, Exact};

/// Usage of `keyless cost`, for the command's help text.
pub const COST_USAGE: &str =
    "  keyless cost --config FILE [--json] [--spot-discount PERCENT] [--hours H]
               [--log-gb GB] [--log-storage-gb GB] [--image-gb GB] [--images-kept N]
               [--lcu LCU]
                                            estimate the monthly AWS bill of the deploy";

/// The arguments of `keyless cost` (after the word `cost`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CostCommand {
    /// `--config FILE`.
    pub config: PathBuf,
    /// `--json`: print JSON instead of the table.
    pub json: bool,
    /// `--spot-discount PERCENT`: assumed Spot discount (only with `use_spot`).
    pub spot_discount_percent: Option<Exact>,
    /// `--hours H`: hours each task runs per month.
    pub hours_per_month: Option<Exact>,
    /// `--log-gb GB`: logs ingested per month.
    pub log_ingest_gb_month: Option<Exact>,
    /// `--log-storage-gb GB`: logs kept.
    pub log_storage_gb: Option<Exact>,
    /// `--image-gb GB`: size of one image.
    pub image_size_gb: Option<Exact>,
    /// `--images-kept N`: images kept in ECR.
    pub images_kept: Option<u32>,
    /// `--lcu LCU`: the load balancer's average LCUs (only with a load balancer).
    pub load_balancer_lcus: Option<Exact>,
}

impl CostCommand {
    /// Parses the arguments after `cost`.
    pub fn parse(args: &[String]) -> Result<CostCommand, String> {
        let mut command = CostCommand::default();
        let mut config = None;
        let mut iter = args.iter();
        while let Some(flag) = iter.next() {
            if flag == "--json" {
                command.json = true;
                continue;
            }
            let Some(value) = iter.next() else {
                return Err(format!("{flag} needs a value"));
            };
            let number = |text: &str| Exact::parse(text).map_err(|e| format!("{flag}: {e}"));
            match flag.as_str() {
                "--config" => config = Some(PathBuf::from(value)),
                "--spot-discount" => {
                    command.spot_discount_percent = Some(number(value.trim_end_matches('%'))?)
                }
                "--hours" => command.hours_per_month = Some(number(value)?),
                "--log-gb" => command.log_ingest_gb_month = Some(number(value)?),
                "--log-storage-gb" => command.log_storage_gb = Some(number(value)?),
                "--image-gb" => command.image_size_gb = Some(number(value)?),
                "--lcu" => command.load_balancer_lcus = Some(number(value)?),
                "--images-kept" => {
                    command.images_kept = Some(
                        value
                            .trim()
                            .parse()
                            .map_err(|_| format!("{flag}: \"{value}\" is not a whole number"))?,
                    )
                }
                other => return Err(format!("unexpected argument {other:?}")),
            }
        }
        command.config = config.ok_or("--config FILE is required")?;
        Ok(command)
    }

    /// `inputs` with the assumptions given on the command line. A Spot
    /// discount is only accepted for a config that runs on Spot, LCUs only for
    /// one with a load balancer.
    pub fn apply(&self, mut inputs: CostInputs) -> Result<CostInputs, String> {
        if let Some(discount) = self.spot_discount_percent {
            if !inputs.is_spot() {
                return Err(
                    "--spot-discount only applies to a config with \"use_spot\": true".into(),
                );
            }
            inputs.spot_discount_percent = discount;
        }
        if let Some(lcus) = self.load_balancer_lcus {
            if inputs.load_balancer.is_none() {
                return Err(
                    "--lcu only applies to a config with \"ingress\": \"load_balancer\"".into(),
                );
            }
            inputs.usage.load_balancer_lcus = lcus;
        }
        let usage = &mut inputs.usage;
        if let Some(v) = self.hours_per_month {
            usage.hours_per_month = v;
        }
        if let Some(v) = self.log_ingest_gb_month {
            usage.log_ingest_gb_month = v;
        }
        if let Some(v) = self.log_storage_gb {
            usage.log_storage_gb = v;
        }
        if let Some(v) = self.image_size_gb {
            usage.image_size_gb = v;
        }
        if let Some(v) = self.images_kept {
            usage.images_kept = v;
        }
        Ok(inputs)
    }

    /// Estimates `inputs` (after [`CostCommand::apply`]) and renders it as the
    /// table or, with `--json`, as JSON.
    pub fn render(&self, inputs: CostInputs) -> Result<String, String> {
        let bill = super::estimate(&self.apply(inputs)?).map_err(|e| e.to_string())?;
        Ok(if self.json {
            format!("{}\n", to_json(&bill))
        } else {
            to_table(&bill)
        })
    }
}

/// The `--json` document. Field order is the documented order:
/// `currency, as_of, items, total_monthly`, then extras.
#[derive(Serialize)]
struct JsonReport<'a> {
    currency: &'a str,
    as_of: &'a str,
    items: Vec<JsonItem<'a>>,
    total_monthly: f64,
    total_yearly: f64,
    total_monthly_exact: String,
    region: &'a str,
    region_name: &'a str,
    complete: bool,
    estimate: bool,
    unpriced: Vec<&'a str>,
    assumptions: JsonAssumptions,
    notes: Vec<String>,
    sources: Vec<JsonSource<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    name: &'a str,
    quantity: f64,
    unit: &'a str,
    unit_price: f64,
    monthly: f64,
    monthly_exact: String,
    sources: &'a [&'static str],
    estimate: bool,
}

#[derive(Serialize)]
struct JsonAssumptions {
    cpu_units: u32,
    memory_mib: u32,
    architecture: &'static str,
    task_count: u32,
    public_ip: bool,
    ephemeral_storage_gib: u32,
    spot_discount_percent: f64,
    hours_per_month: f64,
    log_ingest_gb_month: f64,
    log_storage_gb: f64,
    image_size_gb: f64,
    images_kept: u32,
    /// Only with a load balancer, so other configs' JSON reads as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    load_balancer: Option<JsonLoadBalancer>,
    /// Only with autoscaling.
    #[serde(skip_serializing_if = "Option::is_none")]
    autoscaling: Option<JsonAutoscaling>,
}

#[derive(Serialize)]
struct JsonLoadBalancer {
    availability_zones: u32,
    public_ipv4_addresses: u32,
    lcus: f64,
    https: bool,
}

#[derive(Serialize)]
struct JsonAutoscaling {
    min_count: u32,
    max_count: u32,
    total_monthly_at_max_count: Option<f64>,
}

#[derive(Serialize)]
struct JsonSource<'a> {
    id: &'a str,
    title: &'a str,
    url: Option<&'a str>,
}

/// The estimate as one line of JSON:
/// `{"currency":"USD","as_of":…,"items":[{"name","quantity","unit","unit_price","monthly",…}…],"total_monthly":…,…}`.
/// Money (`monthly`, `total_*`) is rounded to cents; quantities and unit prices
/// are the exact decimals; `*_exact` carry the unrounded amounts as text.
pub fn to_json(bill: &CostEstimate) -> String {
    let table = prices();
    let i = &bill.inputs;
    let report = JsonReport {
        currency: PriceTable::CURRENCY,
        as_of: table.as_of,
        items: bill
            .items
            .iter()
            .map(|item| JsonItem {
                name: item.name,
                quantity: item.quantity.to_f64(),
                unit: item.unit,
                unit_price: item.unit_price.to_f64(),
                monthly: item.monthly.to_cents_f64(),
                monthly_exact: item.monthly.to_string(),
                sources: &item.sources,
                estimate: item.is_estimate,
            })
            .collect(),
        total_monthly: bill.total_monthly.to_cents_f64(),
        total_yearly: bill.total_yearly().to_cents_f64(),
        total_monthly_exact: bill.total_monthly.to_string(),
        region: &i.region,
        region_name: &bill.region_name,
        complete: bill.is_complete(),
        estimate: bill.is_estimate(),
        unpriced: bill.unpriced.iter().map(|u| u.kind.name()).collect(),
        assumptions: JsonAssumptions {
            cpu_units: i.cpu_units,
            memory_mib: i.memory_mib,
            architecture: i.architecture.ecs_name(),
            task_count: i.task_count,
            public_ip: i.public_ip,
            ephemeral_storage_gib: i.ephemeral_storage_gib,
            spot_discount_percent: i.spot_discount_percent.to_f64(),
            hours_per_month: i.usage.hours_per_month.to_f64(),
            log_ingest_gb_month: i.usage.log_ingest_gb_month.to_f64(),
            log_storage_gb: i.usage.log_storage_gb.to_f64(),
            image_size_gb: i.usage.image_size_gb.to_f64(),
            images_kept: i.usage.images_kept,
            load_balancer: i.load_balancer.map(|lb| JsonLoadBalancer {
                availability_zones: lb.zones,
                public_ipv4_addresses: lb.zones,
                lcus: i.usage.load_balancer_lcus.to_f64(),
                https: lb.https,
            }),
            autoscaling: i.autoscaling.map(|range| JsonAutoscaling {
                min_count: range.min,
                max_count: range.max,
                total_monthly_at_max_count: bill
                    .total_monthly_at_max_tasks()
                    .map(Exact::to_cents_f64),
            }),
        },
        notes: bill.assumptions(),
        sources: bill
            .sources()
            .into_iter()
            .map(|s| JsonSource {
                id: s.id,
                title: s.what,
                url: s.link,
            })
            .collect(),
    };
    serde_json::to_string(&report).expect("cost report serialises")
}

/// A unit price as text: every decimal kept, at least cents (`$0.04048`, `$0.10`).
fn unit_price_text(price: Exact) -> String {
    let text = price.to_decimal_string(12);
    match text.split_once('.') {
        None => format!("${text}.00"),
        Some((_, frac)) if frac.len() < 2 => format!("${text}0"),
        Some(_) => format!("${text}"),
    }
}

/// `182.5 vCPU-hours`, `1 GB-month`, `2 GB`.
fn quantity_text(quantity: Exact, unit: &str) -> String {
    let plural = quantity != Exact::ONE && (unit.ends_with("hour") || unit.ends_with("month"));
    format!("{quantity} {unit}{}", if plural { "s" } else { "" })
}

/// The estimate as a plain-text table with totals, assumptions, sources and date.
pub fn to_table(bill: &CostEstimate) -> String {
    let table = prices();
    let i = &bill.inputs;
    let mut out = String::new();
    out.push_str(&format!(
        "Estimated monthly AWS cost in {} ({}), prices as of {} ({})\n\n",
        i.region,
        bill.region_name,
        table.as_of,
        PriceTable::CURRENCY
    ));

    let header = ["Item", "Quantity", "Unit price", "Monthly", "Source"];
    let mut rows: Vec<[String; 5]> = bill
        .items
        .iter()
        .map(|item| {
            [
                format!("{}{}", item.name, if item.is_estimate { " *" } else { "" }),
                quantity_text(item.quantity, item.unit),
                format!("{} / {}", unit_price_text(item.unit_price), item.unit),
                item.monthly.usd(),
                item.sources.join(", "),
            ]
        })
        .collect();
    let rule_at = rows.len();
    rows.push([
        "Total per month".into(),
        String::new(),
        String::new(),
        bill.total_monthly.usd(),
        String::new(),
    ]);
    rows.push([
        "Total per year".into(),
        String::new(),
        String::new(),
        bill.total_yearly().usd(),
        String::new(),
    ]);
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (col, cell) in cells.iter().enumerate() {
            let pad = widths[col] - cell.chars().count();
            if col == 3 {
                // Money right-aligned.
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                if col < 4 {
                    text.push_str(&" ".repeat(pad));
                }
            }
            if col < 4 {
                text.push_str("  ");
            }
        }
        format!("{}\n", text.trim_end())
    };
    out.push_str(&line(header));
    for (n, row) in rows.iter().enumerate() {
        if n == rule_at {
            let total_width: usize = widths.iter().sum::<usize>() + 2 * 4;
            out.push_str(&"-".repeat(total_width));
            out.push('\n');
        }
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    if bill.is_estimate() {
        out.push_str("* estimate: Fargate Spot has no fixed price\n");
    }
    out.push_str(
        "Amounts are exact until shown; each is rounded to cents on its own, so rounded lines may not add up to the rounded total.\n",
    );

    out.push_str("\nAssumptions:\n");
    for a in bill.assumptions() {
        out.push_str(&format!("  - {a}\n"));
    }
    out.push_str("\nSources:\n");
    for s in bill.sources() {
        match s.link {
            Some(url) => out.push_str(&format!("  {}  {} <{url}>\n", s.id, s.what)),
            None => out.push_str(&format!("  {}  {}\n", s.id, s.what)),
        }
    }
    out.push_str(&format!(
        "Prices as of {} (publication dates of AWS's pricing data files).\n",
        table.as_of
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::{estimate, CostInputs};

    #[test]
    fn json_starts_with_the_documented_keys() {
        let bill = estimate(&CostInputs::new("us-east-1", 256, 512)).unwrap();
        let json = to_json(&bill);
        assert!(
            json.starts_with(r#"{"currency":"USD","as_of":"2025-11-04","items":[{"name":"Fargate vCPU","quantity":182.5,"unit":"vCPU-hour","unit_price":0.04048,"monthly":7.39,"#),
            "{json}"
        );
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["items"][1]["monthly"], 1.62);
        assert_eq!(value["sources"][0]["id"], "S1");
    }

    #[test]
    fn unit_prices_keep_every_decimal() {
        assert_eq!(unit_price_text(Exact::parse("0.1").unwrap()), "$0.10");
        assert_eq!(
            unit_price_text(Exact::parse("0.000111").unwrap()),
            "$0.000111"
        );
        assert_eq!(unit_price_text(Exact::int(2)), "$2.00");
    }
}
