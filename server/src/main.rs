//! `youdecide-server`: see `youdecide-server --help`.

fn main() -> std::process::ExitCode {
    youdecide_server::cli::main()
}
