fn main() {
    eprintln!("La démo n'est pas encore construite (issue 6).");
    std::process::exit(2);
}
