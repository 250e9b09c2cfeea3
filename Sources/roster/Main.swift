import RosterCLI

@main
struct Main {
    static func main() async {
        await RosterCommand.main()
    }
}
