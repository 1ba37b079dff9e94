//! `youdecide-kiosk`: see `youdecide-kiosk --help`.

fn main() -> std::process::ExitCode {
    youdecide_kiosk::cli::main()
}
