use clap::Parser as _;

fn main() {
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
    std::process::exit(code);
}
