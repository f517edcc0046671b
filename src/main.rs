fn main() -> std::process::ExitCode {
    ma_alexa_oauth::cli::main()
}
