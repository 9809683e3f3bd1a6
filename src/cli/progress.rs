//! Showing a wait on the terminal: on a terminal one live line per service (state, health,
//! elapsed), redrawn in place; otherwise a plain line each time a service changes state.

use crate::engine::ContainerInfo;
use crate::stack::{describe, Watch};
use console::Term;
use std::collections::HashMap;
use std::time::Duration;

pub struct Progress {
    term: Option<Term>,
    quiet: bool,
    drawn: usize,
    last: HashMap<String, String>,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let term = Term::stderr();
        let live = term.is_term() && !quiet && std::env::var_os("CI").is_none();
        Progress { term: live.then_some(term), quiet, drawn: 0, last: HashMap::new() }
    }
}

impl Watch for Progress {
    fn update(&mut self, containers: &[ContainerInfo], elapsed: Duration) {
        if self.quiet {
            return;
        }
        let width = containers.iter().map(|c| c.service.len()).max().unwrap_or(0);
        let lines: Vec<(String, String)> = containers
            .iter()
            .map(|c| {
                let state = describe(c);
                (c.service.clone(), format!("  {:<width$}  {state}", c.service))
            })
            .collect();
        match &self.term {
            Some(term) => {
                let _ = term.clear_last_lines(self.drawn);
                for (_, line) in &lines {
                    let _ = term.write_line(&format!("{line}  {:.1}s", elapsed.as_secs_f64()));
                }
                self.drawn = lines.len();
            }
            None => {
                for (service, line) in lines {
                    if self.last.get(&service) != Some(&line) {
                        eprintln!("{line}  ({:.1}s)", elapsed.as_secs_f64());
                        self.last.insert(service, line);
                    }
                }
            }
        }
    }

    /// Leaves the last drawn lines on screen.
    fn finish(&mut self) {
        self.drawn = 0;
    }

    /// What a failed or late service last said, shown even with `-q`: it explains the error.
    fn detail(&mut self, line: &str) {
        eprintln!("{line}");
    }
}
