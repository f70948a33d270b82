//! The AWS price table (`data/aws-prices.json`), embedded at compile time and
//! parsed once, on first use, into typed structs holding only what the cost
//! model reads. Every price becomes an [`Exact`] decimal, exactly as written.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::exact::Exact;

/// The table as embedded: the parts of `data/aws-prices.json` the model reads
/// (prices, source ids, titles and links, the date), extracted by `build.rs` so
/// the notes and snapshots of the full file do not ship in the web page.
pub const PRICES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/aws-prices.min.json"));

/// The full file, byte for byte the shared `aws-prices.json` (tests only).
#[cfg(test)]
const SOURCE_PRICES_JSON: &str = include_str!("../../data/aws-prices.json");

/// Most decimals a price may have (all rates in the table have at most 8).
/// Keeping this small is what guarantees the cost arithmetic cannot overflow.
pub const MAX_PRICE_DECIMALS: u32 = 10;

/// A price in USD: an exact decimal with at most [`MAX_PRICE_DECIMALS`] places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Price(pub Exact);

impl TryFrom<f64> for Price {
    type Error = String;
    fn try_from(value: f64) -> Result<Price, String> {
        let exact = Exact::from_f64_decimal(value)?;
        if exact.is_negative() || !exact.has_at_most_decimals(MAX_PRICE_DECIMALS) {
            return Err(format!(
                "price {value} must be non-negative with at most {MAX_PRICE_DECIMALS} decimals"
            ));
        }
        if exact > Exact::int(1_000) {
            return Err(format!("price {value} is implausibly large"));
        }
        Ok(Price(exact))
    }
}

/// Fargate rates for one architecture in one region.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct FargateRates {
    /// USD per vCPU-hour.
    pub vcpu_hour: Price,
    /// USD per GB-hour of memory.
    pub gb_hour: Price,
    /// Source id (see [`PriceTable::sources`]).
    pub src: String,
}

/// A single price with its source id.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SourcedPrice {
    /// The price in USD per unit (the unit depends on where it sits).
    pub price: Price,
    /// Source id.
    pub src: String,
}

/// Public IPv4 address charge.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PublicIpv4Prices {
    /// USD per address-hour while attached (a running task's ENI).
    pub in_use_hour: Price,
    /// Source id.
    pub src: String,
}

/// CloudWatch Logs charges.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct LogsPrices {
    /// USD per GB ingested, Standard log class.
    pub ingest_standard_gb: Price,
    /// USD per GB-month stored.
    pub storage_gb_month: Price,
    /// Source id.
    pub src: String,
}

/// Every price of one region the cost model uses.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct RegionPrices {
    /// AWS's name of the region, e.g. `"Europe (Ireland)"`.
    pub location: String,
    /// Fargate Linux x86_64.
    pub x86: FargateRates,
    /// Fargate Linux ARM64 (Graviton).
    pub arm: FargateRates,
    /// USD per GB-hour of ephemeral storage above the included 20 GB.
    pub ephemeral_storage_gb_hour: SourcedPrice,
    /// Public IPv4 charge.
    pub public_ipv4: PublicIpv4Prices,
    /// CloudWatch Logs charges.
    pub cloudwatch_logs: LogsPrices,
    /// USD per GB-month of ECR storage; `None` where the table has no figure.
    #[serde(default)]
    pub ecr_storage_gb_month: Option<SourcedPrice>,
}

/// Fargate Spot as the pricing page describes it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SpotFacts {
    /// The largest advertised discount off on-demand, as a fraction (0.7).
    pub max_discount_vs_on_demand: Price,
    /// AWS's wording.
    pub wording: String,
    /// Source id.
    pub src: String,
}

/// Ephemeral storage facts.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct EphemeralFacts {
    /// GB included with every task at no charge (20).
    pub included_gb: u32,
    /// Largest configurable size in GB (200).
    pub max_gb: u32,
    /// Source id.
    pub src: String,
}

/// Facts that hold in every region.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct GlobalFacts {
    /// Fargate Spot.
    pub fargate_spot: SpotFacts,
    /// Ephemeral storage.
    pub ephemeral_storage: EphemeralFacts,
}

/// Where a figure comes from.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Source {
    /// The id figures cite, e.g. `"S1"`.
    pub id: String,
    /// What the source provides (used as its title).
    pub what: String,
    /// The upstream document, possibly followed by a note.
    #[serde(default)]
    pub upstream: Option<String>,
    /// A direct link, when the table gives one.
    #[serde(default)]
    pub url: Option<String>,
}

impl Source {
    /// The first `http(s)://` link of `url` or `upstream`, if any.
    pub fn link(&self) -> Option<&str> {
        [self.url.as_deref(), self.upstream.as_deref()]
            .into_iter()
            .flatten()
            .flat_map(str::split_whitespace)
            .find(|word| word.starts_with("https://") || word.starts_with("http://"))
            .map(|word| word.trim_end_matches([',', ';', ')']))
    }
}

/// The parsed price table: only the parts the cost model reads.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PriceTable {
    /// Always `"USD"`.
    pub currency: String,
    /// Date of the newest figure, `YYYY-MM-DD`.
    pub as_of: String,
    /// Hours in a billing month used by AWS's own estimates (730).
    pub hours_per_month: u32,
    /// Facts that hold in every region.
    pub global: GlobalFacts,
    /// Prices per region code.
    pub regions: BTreeMap<String, RegionPrices>,
    /// Every source a figure cites.
    pub sources: Vec<Source>,
}

impl PriceTable {
    /// Parses and checks price-table JSON: every price a short non-negative
    /// decimal, every cited source listed, currency USD.
    pub fn parse(json: &str) -> Result<PriceTable, String> {
        let table: PriceTable =
            serde_json::from_str(json).map_err(|e| format!("price table: {e}"))?;
        if table.currency != "USD" {
            return Err(format!("price table currency is {}", table.currency));
        }
        for (code, region) in &table.regions {
            let mut cited = vec![
                &region.x86.src,
                &region.arm.src,
                &region.ephemeral_storage_gb_hour.src,
                &region.public_ipv4.src,
                &region.cloudwatch_logs.src,
            ];
            cited.extend(region.ecr_storage_gb_month.as_ref().map(|p| &p.src));
            for id in cited {
                if table.source(id).is_none() {
                    return Err(format!("{code} cites unknown source {id}"));
                }
            }
        }
        Ok(table)
    }

    /// The prices of a region code.
    pub fn region(&self, code: &str) -> Option<&RegionPrices> {
        self.regions.get(code)
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// The embedded price table, parsed on first use.
///
/// Panics only if the embedded file is malformed, which the tests rule out.
pub fn prices() -> &'static PriceTable {
    static TABLE: OnceLock<PriceTable> = OnceLock::new();
    TABLE.get_or_init(|| PriceTable::parse(PRICES_JSON).expect("embedded aws-prices.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::REGIONS;

    #[test]
    fn embedded_table_parses() {
        let table = PriceTable::parse(PRICES_JSON).unwrap();
        assert_eq!(table.hours_per_month, 730);
        assert_eq!(table.as_of.len(), 10);
        assert_eq!(table.global.ephemeral_storage.included_gb, 20);
    }

    #[test]
    fn every_offered_region_has_x86_and_arm_fargate_prices() {
        let table = prices();
        for (code, _) in REGIONS {
            let region = table
                .region(code)
                .unwrap_or_else(|| panic!("{code} has no prices"));
            for rates in [&region.x86, &region.arm] {
                assert!(!rates.vcpu_hour.0.is_zero(), "{code} vCPU");
                assert!(!rates.gb_hour.0.is_zero(), "{code} memory");
            }
            assert!(!region.public_ipv4.in_use_hour.0.is_zero(), "{code} IPv4");
        }
    }

    #[test]
    fn reads_exact_figures() {
        let us = prices().region("us-east-1").unwrap();
        assert_eq!(us.x86.vcpu_hour.0, Exact::parse("0.04048").unwrap());
        assert_eq!(us.arm.gb_hour.0, Exact::parse("0.00356").unwrap());
        assert_eq!(
            us.ephemeral_storage_gb_hour.price.0,
            Exact::parse("0.000111").unwrap()
        );
        assert_eq!(us.x86.src, "S1");
        assert_eq!(
            prices().source("S1").unwrap().link(),
            Some("https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/ecs/USD/current/ecs.json")
        );
    }

    #[test]
    fn the_embedded_subset_reads_exactly_as_the_full_file() {
        let mut full = PriceTable::parse(SOURCE_PRICES_JSON).unwrap();
        for source in &mut full.sources {
            // The subset keeps each source's first link, which is all `link()` reads.
            source.url = source.link().map(str::to_string);
            source.upstream = None;
        }
        assert_eq!(full, *prices());
        assert!(PRICES_JSON.len() * 3 < SOURCE_PRICES_JSON.len());
    }

    #[test]
    fn malformed_tables_are_rejected() {
        const PRICES_JSON: &str = SOURCE_PRICES_JSON;
        assert!(PriceTable::parse("{").is_err());
        assert!(PriceTable::parse("{}").is_err());
        let missing_arm = PRICES_JSON.replacen("\"arm\"", "\"arm_removed\"", 1);
        assert!(PriceTable::parse(&missing_arm).is_err());
        let negative = PRICES_JSON.replacen("\"vcpu_hour\": 0.0546", "\"vcpu_hour\": -0.0546", 1);
        assert_ne!(negative, PRICES_JSON);
        assert!(PriceTable::parse(&negative).is_err());
        let text_price = PRICES_JSON.replacen("\"gb_hour\": 0.006", "\"gb_hour\": \"0.006\"", 1);
        assert_ne!(text_price, PRICES_JSON);
        assert!(PriceTable::parse(&text_price).is_err());
        let unknown_source = PRICES_JSON.replacen("\"src\": \"S4\"", "\"src\": \"S404\"", 1);
        assert!(PriceTable::parse(&unknown_source).is_err());
    }
}
