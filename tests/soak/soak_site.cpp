#include "soak_site.hpp"

#include <signal.h>
#include <unistd.h>

namespace packd::soak {

using namespace std::chrono_literals;

const std::vector<SoakProduct>& soak_products() {
    // config/samples/products.csv; POSTER-A2 has no barcode and little stock, so its orders are held until
    // the shop's stock corrections bring some.
    static const std::vector<SoakProduct> products{
        {"MUG-RED", "4006381333931", 350}, {"TEE-BLK-L", "TEE-BLK-L", 180}, {"POSTER-A2", "", 220}};
    return products;
}

Site::Site(std::filesystem::path dir) : dir_(std::move(dir)) {
    test::write_file((dir_ / "packd.toml").string(), config());
}

Site::~Site() {
    std::lock_guard lock(mutex_);
    packd_.reset();  // SIGKILL if still running
}

std::string Site::config() const {
    const auto path = [this](const char* name) { return (dir_ / name).string(); };
    // A short status timeout, so that a printer gone silent is noticed within the soak's rhythm; a station
    // that waits three seconds for a stable weight.
    return std::string("[site]\nid = \"") + kSite +
           "\"\nname = \"Soak Site\"\nstreet1 = \"1 Soak Road\"\ncity = \"Testville\"\n"
           "postal_code = \"12345\"\ncountry = \"US\"\n"
           "[daemon]\nstate_dir = \"" +
           path("state") + "\"\nadmin_socket = \"" + admin_socket() +
           "\"\nlog_level = \"info\"\n"
           "[broker]\nhost = \"127.0.0.1\"\nport = " +
           std::to_string(broker_.port()) + "\nclient_id = \"packd-soak-" + std::to_string(::getpid()) +
           "\"\nreconnect_min_ms = 100\nreconnect_max_ms = 1000\n"
           "[labels]\nprinter = \"zebra\"\n"
           "[printers.zebra]\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = " +
           std::to_string(printer_.port()) +
           "\nconnect_timeout_ms = 1000\nstatus_timeout_ms = 1000\njob_timeout_ms = 10000\n"
           "[scales.bench]\ntype = \"sim\"\nfifo = \"" +
           scale_fifo() +
           "\"\n"
           "[scanners.gun]\ntype = \"sim\"\nfifo = \"" +
           path("scanner.fifo") +
           "\"\n"
           "[stations." +
           kStation +
           "]\nprinter = \"zebra\"\nscale = \"bench\"\nscanner = \"gun\"\nweigh_timeout_ms = 3000\n"
           "[tracking.ups]\ncarrier = \"" +
           kCarrier + "\"\nscheme = \"ups_1z\"\nprefix = \"999AA101\"\nfirst = 1\nlast = 9999999\n";
}

bool Site::start_packd(std::chrono::seconds within) {
    std::lock_guard lock(mutex_);
    packd_ = std::make_unique<test::Process>(
        std::vector<std::string>{test::packd_binary(), "--config", (dir_ / "packd.toml").string()},
        std::map<std::string, std::string>{}, dir_.string());
    ++starts_;
    stopped_ = false;
    if (!packd_->wait_for_output("ready:", within)) {
        const std::string out = packd_->output();
        last_error_ = "packd did not get ready within " + std::to_string(within.count()) +
                      " s: " + out.substr(out.size() > 2000 ? out.size() - 2000 : 0);
        return false;
    }
    return true;
}

void Site::kill_packd() {
    std::lock_guard lock(mutex_);
    if (packd_) {
        stopped_ = true;
        packd_->signal(SIGKILL);
        packd_->wait(30s);
    }
}

int Site::stop_packd() {
    std::lock_guard lock(mutex_);
    if (!packd_) {
        return -1;
    }
    stopped_ = true;
    packd_->signal(SIGTERM);
    auto code = packd_->wait(60s);
    if (!code) {
        packd_->signal(SIGKILL);
        packd_->wait(10s);
        return -1;
    }
    return *code;
}

bool Site::packd_says(const std::string& text, std::chrono::seconds within) {
    std::lock_guard lock(mutex_);
    return packd_ && packd_->wait_for_output(text, within);
}

bool Site::packd_alive() {
    std::lock_guard lock(mutex_);
    return stopped_ || (packd_ && packd_->running());
}

test::RunResult Site::packctl(const std::vector<std::string>& words) const {
    std::vector<std::string> argv{test::packctl_binary(), "--socket", admin_socket()};
    argv.insert(argv.end(), words.begin(), words.end());
    return test::run(argv, 60s);
}

bool Site::seed() {
    for (const char* bin : {"A-01-01", "A-01-02"}) {
        if (packctl({"location", "add", bin}).code != 0) {
            return false;
        }
    }
    const std::string samples = test::source_dir() + "/config/samples/";
    if (packctl({"import", "products", samples + "products.csv"}).code != 0 ||
        packctl({"import", "stock", samples + "stock.csv"}).code != 0) {
        return false;
    }
    // Enough mugs and shirts for every order of a long soak; posters stay short.
    return packctl({"adjust", "MUG-RED", "A-01-01", "1000000", "--reason", "receive"}).code == 0 &&
           packctl({"adjust", "TEE-BLK-L", "A-01-02", "1000000", "--reason", "receive"}).code == 0;
}

std::vector<std::filesystem::path> Site::packd_logs() const {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("proc-", 0) == 0 && entry.path().extension() == ".log") {
            out.push_back(entry.path());
        }
    }
    return out;
}

}  // namespace packd::soak
