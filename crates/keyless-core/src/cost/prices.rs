//! The AWS price table (`data/aws-prices.json`), compiled in as static data by
//! `build.rs` (see [`super::price_source`]): only the figures the cost model
//! reads, every price an [`Exact`] decimal exactly as written, checked at build
//! time. Nothing is parsed at run time.

use super::exact::Exact;

/// A price in USD: an exact decimal with at most 10 places (checked by the build,
/// which keeps the cost arithmetic far from overflow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price(pub Exact);

impl Price {
    /// `units / 10^scale`, e.g. `Price::decimal(356, 5)` is 0.00356.
    pub const fn decimal(units: i64, scale: u32) -> Price {
        Price(Exact::decimal(units, scale))
    }
}

/// Fargate rates for one architecture in one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FargateRates {
    /// USD per vCPU-hour.
    pub vcpu_hour: Price,
    /// USD per GB-hour of memory.
    pub gb_hour: Price,
    /// Source id (see [`PriceTable::sources`]).
    pub src: &'static str,
}

/// A single price with its source id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcedPrice {
    /// The price in USD per unit (the unit depends on where it sits).
    pub price: Price,
    /// Source id.
    pub src: &'static str,
}

/// Public IPv4 address charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicIpv4Prices {
    /// USD per address-hour while attached (a running task's ENI).
    pub in_use_hour: Price,
    /// Source id.
    pub src: &'static str,
}

/// CloudWatch Logs charges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogsPrices {
    /// USD per GB ingested, Standard log class.
    pub ingest_standard_gb: Price,
    /// USD per GB-month stored.
    pub storage_gb_month: Price,
    /// Source id.
    pub src: &'static str,
}

/// Application Load Balancer charges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlbPrices {
    /// USD per load balancer-hour.
    pub hour: Price,
    /// USD per LCU-hour (Load Balancer Capacity Unit).
    pub lcu_hour: Price,
    /// Source id.
    pub src: &'static str,
}

/// Every price of one region the cost model uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionPrices {
    /// AWS's name of the region, e.g. `"Europe (Ireland)"`.
    pub location: &'static str,
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
    /// Application Load Balancer charges; `None` where the table has no figure.
    pub alb: Option<AlbPrices>,
    /// USD per GB-month of ECR storage; `None` where the table has no figure.
    pub ecr_storage_gb_month: Option<SourcedPrice>,
}

/// Fargate Spot as the pricing page describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotFacts {
    /// The largest advertised discount off on-demand, as a fraction (0.7).
    pub max_discount_vs_on_demand: Price,
    /// AWS's wording.
    pub wording: &'static str,
    /// Source id.
    pub src: &'static str,
}

/// Ephemeral storage facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EphemeralFacts {
    /// GB included with every task at no charge (20).
    pub included_gb: u32,
    /// Largest configurable size in GB (200).
    pub max_gb: u32,
    /// Source id.
    pub src: &'static str,
}

/// Facts that hold in every region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalFacts {
    /// Fargate Spot.
    pub fargate_spot: SpotFacts,
    /// Ephemeral storage.
    pub ephemeral_storage: EphemeralFacts,
}

/// Where a figure comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The id figures cite, e.g. `"S1"`.
    pub id: &'static str,
    /// What the source provides (used as its title).
    pub what: &'static str,
    /// The first `http(s)://` link of the source's `url` or `upstream`, if any.
    pub link: Option<&'static str>,
}

/// The price table: only the parts the cost model reads. Prices are in USD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceTable {
    /// Date of the newest figure, `YYYY-MM-DD`.
    pub as_of: &'static str,
    /// Hours in a billing month used by AWS's own estimates (730).
    pub hours_per_month: u32,
    /// Facts that hold in every region.
    pub global: GlobalFacts,
    /// Prices per region code, sorted by code.
    pub regions: &'static [(&'static str, RegionPrices)],
    /// Every source a figure cites.
    pub sources: &'static [Source],
}

impl PriceTable {
    /// Always `"USD"` (the build rejects a table in any other currency).
    pub const CURRENCY: &'static str = "USD";

    /// The prices of a region code.
    pub fn region(&self, code: &str) -> Option<&RegionPrices> {
        self.regions
            .binary_search_by(|(c, _)| (*c).cmp(code))
            .ok()
            .map(|i| &self.regions[i].1)
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// The embedded price table, written by `build.rs` from `data/aws-prices.json`.
static TABLE: PriceTable = include!(concat!(env!("OUT_DIR"), "/prices.rs"));

/// The embedded price table.
pub fn prices() -> &'static PriceTable {
    &TABLE
}

#[cfg(test)]
mod tests {
    use super::super::price_source::{decimal, first_link, rust_source};
    use super::*;
    use crate::regions::REGIONS;
    use serde_json::Value;

    /// The full file, byte for byte the shared `aws-prices.json`.
    const SOURCE_PRICES_JSON: &str = include_str!("../../data/aws-prices.json");

    fn exact(value: &Value) -> Exact {
        let d = decimal(value, "test").unwrap();
        Exact::decimal(d.units, d.scale)
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
        let table = prices();
        assert_eq!(table.hours_per_month, 730);
        assert_eq!(table.as_of.len(), 10);
        assert_eq!(table.global.ephemeral_storage.included_gb, 20);
        let us = table.region("us-east-1").unwrap();
        assert_eq!(us.x86.vcpu_hour.0, Exact::parse("0.04048").unwrap());
        assert_eq!(us.arm.gb_hour.0, Exact::parse("0.00356").unwrap());
        assert_eq!(
            us.ephemeral_storage_gb_hour.price.0,
            Exact::parse("0.000111").unwrap()
        );
        assert_eq!(us.x86.src, "S1");
        let alb = us.alb.as_ref().unwrap();
        assert_eq!(
            (alb.hour.0, alb.lcu_hour.0, alb.src),
            (
                Exact::parse("0.0225").unwrap(),
                Exact::parse("0.008").unwrap(),
                "S5"
            )
        );
        assert!(table.region("ap-southeast-6").unwrap().alb.is_none());
        assert_eq!(
            table.source("S1").unwrap().link,
            Some("https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/ecs/USD/current/ecs.json")
        );
        assert!(table.region("us-east-0").is_none());
    }

    /// Every figure of the full file the model reads equals the embedded one,
    /// read here independently of the code generator.
    #[test]
    fn the_embedded_table_reads_exactly_as_the_full_file() {
        let full: Value = serde_json::from_str(SOURCE_PRICES_JSON).unwrap();
        let table = prices();
        assert_eq!(table.as_of, full["as_of"]);
        assert_eq!(full["currency"], PriceTable::CURRENCY);
        let regions = full["regions"].as_object().unwrap();
        assert_eq!(table.regions.len(), regions.len());
        for (code, r) in regions {
            let p = table.region(code).unwrap();
            assert_eq!(p.location, r["location"], "{code}");
            for (rates, key) in [(&p.x86, "x86"), (&p.arm, "arm")] {
                assert_eq!(rates.vcpu_hour.0, exact(&r[key]["vcpu_hour"]), "{code}");
                assert_eq!(rates.gb_hour.0, exact(&r[key]["gb_hour"]), "{code}");
                assert_eq!(rates.src, r[key]["src"], "{code}");
            }
            let storage = &r["ephemeral_storage_gb_hour"];
            assert_eq!(
                p.ephemeral_storage_gb_hour.price.0,
                exact(&storage["price"])
            );
            assert_eq!(
                p.public_ipv4.in_use_hour.0,
                exact(&r["public_ipv4"]["in_use_hour"])
            );
            let logs = &r["cloudwatch_logs"];
            assert_eq!(
                p.cloudwatch_logs.ingest_standard_gb.0,
                exact(&logs["ingest_standard_gb"])
            );
            assert_eq!(
                p.cloudwatch_logs.storage_gb_month.0,
                exact(&logs["storage_gb_month"])
            );
            match &r["alb"] {
                Value::Null => assert!(p.alb.is_none(), "{code}"),
                alb => {
                    let prices = p.alb.as_ref().unwrap();
                    assert_eq!(prices.hour.0, exact(&alb["hour"]), "{code}");
                    assert_eq!(prices.lcu_hour.0, exact(&alb["lcu_hour"]), "{code}");
                    assert_eq!(prices.src, alb["src"], "{code}");
                }
            }
            match &r["ecr_storage_gb_month"] {
                Value::Null => assert!(p.ecr_storage_gb_month.is_none(), "{code}"),
                ecr => assert_eq!(
                    p.ecr_storage_gb_month.as_ref().unwrap().price.0,
                    exact(&ecr["price"])
                ),
            }
        }
        let sources = full["sources"].as_array().unwrap();
        assert_eq!(table.sources.len(), sources.len());
        for (s, f) in table.sources.iter().zip(sources) {
            assert_eq!(
                (s.id, s.what),
                (f["id"].as_str().unwrap(), f["what"].as_str().unwrap())
            );
            assert_eq!(s.link, first_link(f).as_deref());
        }
        let spot = &full["global"]["fargate_spot"];
        assert_eq!(
            table.global.fargate_spot.max_discount_vs_on_demand.0,
            exact(&spot["max_discount_vs_on_demand"])
        );
    }

    #[test]
    fn prices_are_the_decimals_as_written() {
        for (json, units, scale) in [
            ("0.00356", 356, 5),
            ("0.000111", 111, 6),
            ("730", 730, 0),
            ("0.1", 1, 1),
        ] {
            let d = decimal(&serde_json::from_str(json).unwrap(), "t").unwrap();
            assert_eq!((d.units, d.scale), (units, scale), "{json}");
        }
    }

    #[test]
    fn malformed_tables_are_rejected() {
        const PRICES_JSON: &str = SOURCE_PRICES_JSON;
        assert!(rust_source(PRICES_JSON).is_ok());
        assert!(rust_source("{").is_err());
        assert!(rust_source("{}").is_err());
        let missing_arm = PRICES_JSON.replacen("\"arm\"", "\"arm_removed\"", 1);
        assert!(rust_source(&missing_arm).is_err());
        let negative = PRICES_JSON.replacen("\"vcpu_hour\": 0.0546", "\"vcpu_hour\": -0.0546", 1);
        assert_ne!(negative, PRICES_JSON);
        assert!(rust_source(&negative).unwrap_err().contains("non-negative"));
        let text_price = PRICES_JSON.replacen("\"gb_hour\": 0.006", "\"gb_hour\": \"0.006\"", 1);
        assert_ne!(text_price, PRICES_JSON);
        assert!(rust_source(&text_price)
            .unwrap_err()
            .contains("expected a number"));
        let long = PRICES_JSON.replacen("\"gb_hour\": 0.006", "\"gb_hour\": 0.00600000001", 1);
        assert!(rust_source(&long).unwrap_err().contains("decimals"));
        let huge = PRICES_JSON.replacen("\"gb_hour\": 0.006", "\"gb_hour\": 1000.5", 1);
        assert!(rust_source(&huge)
            .unwrap_err()
            .contains("implausibly large"));
        let unknown_source = PRICES_JSON.replacen("\"src\": \"S4\"", "\"src\": \"S404\"", 1);
        assert!(rust_source(&unknown_source).unwrap_err().contains("S404"));
        let euros = PRICES_JSON.replacen("\"currency\": \"USD\"", "\"currency\": \"EUR\"", 1);
        assert!(rust_source(&euros).is_err());
    }
}
