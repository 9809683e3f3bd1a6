use clap::Parser as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cfn::cli::Cli::parse();
    let code = match cfn::run(cli) {
        Ok(()) => cfn::error::exit::SUCCESS,
        Err(err) => {
            let (code, lines) = cfn::error::report(&err);
            for line in lines {
                eprintln!("{line}");
            }
            code
        }
    };
    // Exit statuses are one byte on Unix; a child's status passed through always fits.
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
