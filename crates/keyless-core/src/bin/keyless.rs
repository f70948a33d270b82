//! `keyless`: the command line over keyless-core.
//!
//! ```text
//! keyless generate --config keyless.json --out DIR   write the bundle under DIR
//! keyless validate --config keyless.json             only validate
//! keyless cost --config keyless.json [--json]        estimate the monthly AWS bill
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keyless_core::config::parse_config_json;
use keyless_core::{generate, ValidConfig};

const USAGE: &str = "usage:
  keyless generate --config FILE --out DIR   write every file of the bundle under DIR
  keyless validate --config FILE             check the config and print every problem
  keyless cost --config FILE [--json]        estimate the monthly AWS bill (more options: keyless cost)";

/// A parsed command line.
enum Command {
    Generate { config: PathBuf, out: PathBuf },
    Validate { config: PathBuf },
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let (command, rest) = args.split_first().ok_or("missing command")?;
    let mut config = None;
    let mut out = None;
    let mut iter = rest.iter();
    while let Some(flag) = iter.next() {
        let slot = match flag.as_str() {
            "--config" => &mut config,
            "--out" if command == "generate" => &mut out,
            other => return Err(format!("unexpected argument {other:?}")),
        };
        let value = iter.next().ok_or(format!("{flag} needs a value"))?;
        *slot = Some(PathBuf::from(value));
    }
    let config = config.ok_or("--config FILE is required")?;
    match command.as_str() {
        "generate" => Ok(Command::Generate {
            config,
            out: out.ok_or("--out DIR is required")?,
        }),
        "validate" => Ok(Command::Validate { config }),
        other => Err(format!("unknown command {other:?}")),
    }
}

fn load(path: &Path) -> Result<ValidConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_config_json(&text).map_err(|errors| format!("{} is not valid:\n{errors}", path.display()))
}

/// Writes every file of the bundle under `out` (scripts with mode 0755), then
/// prints the findings. Only called with a valid config, so an invalid one
/// writes nothing.
fn write_bundle(config: &ValidConfig, out: &Path) -> Result<(), String> {
    let bundle = generate(config);
    for file in &bundle.files {
        let target = out.join(file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, &file.text)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        if file.executable {
            make_executable(&target)?;
        }
        println!("wrote {}", target.display());
    }
    print_findings(&bundle.findings);
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), String> {
    Ok(())
}

fn print_findings(findings: &[keyless_core::Finding]) {
    if findings.is_empty() {
        return;
    }
    println!();
    for finding in findings {
        let label = match finding.severity {
            keyless_core::Severity::Warning => "warning",
            keyless_core::Severity::Info => "info",
        };
        println!("{label}: {}\n  {}", finding.title, finding.detail);
    }
}

fn run(args: &[String]) -> Result<(), String> {
    if args.first().is_some_and(|command| command == "cost") {
        return cost(&args[1..]);
    }
    match parse_args(args).map_err(|e| format!("{e}\n{USAGE}"))? {
        Command::Generate { config, out } => write_bundle(&load(&config)?, &out),
        Command::Validate { config } => {
            load(&config)?;
            println!("{} is valid", config.display());
            Ok(())
        }
    }
}

/// `keyless cost`: the monthly estimate of the config's deploy, as a table or JSON.
fn cost(args: &[String]) -> Result<(), String> {
    use keyless_core::cost::{report, CostInputs};
    let command = report::CostCommand::parse(args)
        .map_err(|e| format!("{e}\nusage:\n{}", report::COST_USAGE))?;
    let config = load(&command.config)?;
    print!("{}", command.render(CostInputs::from(&config))?);
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
