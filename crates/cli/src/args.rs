//! A tiny `--flag value` parser: the command line has few options and clap would double the
//! build time of this binary.

use std::collections::HashMap;
use std::str::FromStr;

/// Parsed `--name value` pairs, `--switch`es and positional arguments.
pub struct Args {
    values: HashMap<String, String>,
    switches: Vec<String>,
    pub positional: Vec<String>,
}

impl Args {
    /// Splits `raw`; `switches` names the flags that take no value.
    pub fn parse(raw: &[String], allowed: &[&str], switches: &[&str]) -> Result<Self, String> {
        let mut args = Args {
            values: HashMap::new(),
            switches: Vec::new(),
            positional: Vec::new(),
        };
        let mut iter = raw.iter();
        while let Some(arg) = iter.next() {
            let Some(name) = arg.strip_prefix("--") else {
                args.positional.push(arg.clone());
                continue;
            };
            if switches.contains(&name) {
                args.switches.push(name.to_string());
            } else if allowed.contains(&name) {
                let value = iter
                    .next()
                    .ok_or_else(|| format!("--{name} needs a value"))?;
                args.values.insert(name.to_string(), value.clone());
            } else {
                return Err(format!("unknown option --{name}"));
            }
        }
        Ok(args)
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name` parsed, or `default`.
    pub fn parsed<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|_| format!("--{name}: {text:?} is not a valid value")),
        }
    }

    /// True when `--name` was given.
    pub fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }
}
