//! `data/aws-prices.json` → the Rust source of the embedded price table.
//!
//! Run by `build.rs` (and by the tests, which include this file too): the web
//! page gets the prices as static data, with no JSON parser, float formatting or
//! deserialisation code for them in its wasm. Everything the runtime parser used
//! to check is checked here, so a malformed table fails the build.

use serde_json::Value;

/// Most decimals a price may have (all rates in the table have at most 8).
/// Keeping this small is what guarantees the cost arithmetic cannot overflow.
pub const MAX_PRICE_DECIMALS: u32 = 10;

/// A price as the exact decimal it was written as: `units / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    /// The digits, without the point.
    pub units: i64,
    /// Digits after the point.
    pub scale: u32,
}

/// The exact decimal a JSON number was written as. Rust prints an `f64` as its
/// shortest round-trip decimal, never with an exponent, so `0.00356` read from
/// JSON is exactly 356 / 10^5.
pub fn decimal(value: &Value, what: &str) -> Result<Decimal, String> {
    let number = value
        .as_f64()
        .filter(|_| value.is_number())
        .ok_or_else(|| format!("{what}: expected a number, found {value}"))?;
    if !number.is_finite() || number < 0.0 {
        return Err(format!(
            "{what}: price {number} must be a non-negative number"
        ));
    }
    let text = number.to_string();
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let scale = frac_part.len() as u32;
    if scale > MAX_PRICE_DECIMALS {
        return Err(format!(
            "{what}: price {text} has more than {MAX_PRICE_DECIMALS} decimals"
        ));
    }
    if number > 1_000.0 {
        return Err(format!("{what}: price {text} is implausibly large"));
    }
    let units = format!("{int_part}{frac_part}")
        .parse()
        .map_err(|e| format!("{what}: price {text}: {e}"))?;
    Ok(Decimal { units, scale })
}

/// The first http(s) link in a source's `url` or `upstream`.
pub fn first_link(source: &Value) -> Option<String> {
    ["url", "upstream"]
        .iter()
        .filter_map(|k| source.get(*k).and_then(Value::as_str))
        .flat_map(str::split_whitespace)
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches([',', ';', ')']).to_string())
}

/// Reads and checks a price table, writing Rust expressions as it goes.
struct Writer<'a> {
    sources: Vec<String>,
    cited: Vec<(String, String)>,
    out: &'a mut String,
}

impl Writer<'_> {
    fn text(&mut self, value: &Value, what: &str) -> Result<(), String> {
        let text = value
            .as_str()
            .ok_or_else(|| format!("{what}: expected a string, found {value}"))?;
        // `{:?}` of a str is a valid Rust string literal.
        self.out.push_str(&format!("{text:?}"));
        Ok(())
    }

    fn price(&mut self, value: &Value, what: &str) -> Result<(), String> {
        let d = decimal(value, what)?;
        self.out
            .push_str(&format!("Price::decimal({}, {})", d.units, d.scale));
        Ok(())
    }

    fn count(&mut self, value: &Value, what: &str) -> Result<(), String> {
        let n = value
            .as_u64()
            .filter(|n| u32::try_from(*n).is_ok())
            .ok_or_else(|| format!("{what}: expected a whole number, found {value}"))?;
        self.out.push_str(&n.to_string());
        Ok(())
    }

    /// A struct literal `Name { field: …, … }`: `fields` are (key, kind) where
    /// kind is `p` price, `s` text, `n` count, `src` a source id.
    fn record(
        &mut self,
        name: &str,
        value: &Value,
        fields: &[(&str, &str)],
        what: &str,
    ) -> Result<(), String> {
        if !value.is_object() {
            return Err(format!("{what}: expected an object, found {value}"));
        }
        self.out.push_str(name);
        self.out.push_str(" { ");
        for (key, kind) in fields {
            let field = value
                .get(*key)
                .ok_or_else(|| format!("{what}: missing \"{key}\""))?;
            let at = format!("{what}.{key}");
            self.out.push_str(key);
            self.out.push_str(": ");
            match *kind {
                "p" => self.price(field, &at)?,
                "n" => self.count(field, &at)?,
                "src" => {
                    let id = field.as_str().unwrap_or_default().to_string();
                    self.cited.push((at.clone(), id));
                    self.text(field, &at)?;
                }
                _ => self.text(field, &at)?,
            }
            self.out.push_str(", ");
        }
        self.out.push('}');
        Ok(())
    }
}

/// The Rust expression of the whole [`PriceTable`](super::prices::PriceTable)
/// for the JSON text of `data/aws-prices.json`, or what is wrong with it.
pub fn rust_source(json: &str) -> Result<String, String> {
    let full: Value =
        serde_json::from_str(json).map_err(|e| format!("price table is not JSON: {e}"))?;
    if full["currency"] != "USD" {
        return Err(format!("price table currency is {}", full["currency"]));
    }
    let mut out = String::new();
    let mut w = Writer {
        sources: Vec::new(),
        cited: Vec::new(),
        out: &mut out,
    };
    w.out.push_str("PriceTable { as_of: ");
    w.text(&full["as_of"], "as_of")?;
    w.out.push_str(", hours_per_month: ");
    w.count(&full["hours_per_month"], "hours_per_month")?;
    w.out.push_str(", global: GlobalFacts { fargate_spot: ");
    let global = &full["global"];
    w.record(
        "SpotFacts",
        &global["fargate_spot"],
        &[
            ("max_discount_vs_on_demand", "p"),
            ("wording", "s"),
            ("src", "src"),
        ],
        "global.fargate_spot",
    )?;
    w.out.push_str(", ephemeral_storage: ");
    w.record(
        "EphemeralFacts",
        &global["ephemeral_storage"],
        &[("included_gb", "n"), ("max_gb", "n"), ("src", "src")],
        "global.ephemeral_storage",
    )?;
    w.out.push_str(" }, regions: &[\n");
    let regions = full["regions"]
        .as_object()
        .ok_or("price table: \"regions\" must be an object")?;
    let mut codes: Vec<&String> = regions.keys().collect();
    codes.sort();
    for code in codes {
        let r = &regions[code.as_str()];
        let at = |key: &str| format!("regions.{code}.{key}");
        w.out
            .push_str(&format!("({code:?}, RegionPrices {{ location: "));
        w.text(&r["location"], &at("location"))?;
        for (key, name, fields) in [
            (
                "x86",
                "FargateRates",
                &[("vcpu_hour", "p"), ("gb_hour", "p"), ("src", "src")][..],
            ),
            (
                "arm",
                "FargateRates",
                &[("vcpu_hour", "p"), ("gb_hour", "p"), ("src", "src")],
            ),
            (
                "ephemeral_storage_gb_hour",
                "SourcedPrice",
                &[("price", "p"), ("src", "src")],
            ),
            (
                "public_ipv4",
                "PublicIpv4Prices",
                &[("in_use_hour", "p"), ("src", "src")],
            ),
            (
                "cloudwatch_logs",
                "LogsPrices",
                &[
                    ("ingest_standard_gb", "p"),
                    ("storage_gb_month", "p"),
                    ("src", "src"),
                ],
            ),
        ] {
            w.out.push_str(&format!(", {key}: "));
            w.record(name, &r[key], fields, &at(key))?;
        }
        w.out.push_str(", alb: ");
        match &r["alb"] {
            Value::Null => w.out.push_str("None"),
            alb => {
                w.out.push_str("Some(");
                w.record(
                    "AlbPrices",
                    alb,
                    &[("hour", "p"), ("lcu_hour", "p"), ("src", "src")],
                    &at("alb"),
                )?;
                w.out.push(')');
            }
        }
        w.out.push_str(", ecr_storage_gb_month: ");
        match &r["ecr_storage_gb_month"] {
            Value::Null => w.out.push_str("None"),
            ecr => {
                w.out.push_str("Some(");
                w.record(
                    "SourcedPrice",
                    ecr,
                    &[("price", "p"), ("src", "src")],
                    &at("ecr_storage_gb_month"),
                )?;
                w.out.push(')');
            }
        }
        w.out.push_str(" }),\n");
    }
    w.out.push_str("], sources: &[\n");
    for (i, s) in full["sources"]
        .as_array()
        .ok_or("price table: \"sources\" must be a list")?
        .iter()
        .enumerate()
    {
        let id = s["id"]
            .as_str()
            .ok_or_else(|| format!("sources[{i}]: missing \"id\""))?;
        w.sources.push(id.to_string());
        w.out.push_str(&format!("Source {{ id: {id:?}, what: "));
        w.text(&s["what"], &format!("sources.{id}.what"))?;
        w.out
            .push_str(&format!(", link: {:?} }},\n", first_link(s).as_deref()));
    }
    w.out.push_str("] }\n");
    for (at, id) in &w.cited {
        if !w.sources.contains(id) {
            return Err(format!("{at} cites unknown source {id}"));
        }
    }
    Ok(out)
}
