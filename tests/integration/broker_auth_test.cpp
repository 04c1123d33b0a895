// packd's broker link over TLS with a user name and a password file, against a real mosquitto
// with throwaway certificates made by the openssl command line at test time; wrong credentials
// and an untrusted broker certificate must give a clear reason and leave packd running.

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <signal.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kUser = "packd";
constexpr const char* kSecret = "s3cret-for-the-test";
constexpr const char* kOrdersTopic = "packd/v1/it/in/orders";

/// Runs one openssl command and fails the test with its output when it does not succeed.
void openssl(std::vector<std::string> args) {
    args.insert(args.begin(), "openssl");
    const RunResult r = run(args, 20s);
    ASSERT_EQ(r.code, 0) << "openssl failed:\n" << r.output;
}

/// An EC P-256 key (fast to make) and a certificate for `subject`, signed by the CA `ca`
/// (`ca`.crt and `ca`.key), with the given extensions (one per line).
void issue(const TempDir& dir, const std::string& name, const std::string& subject, const std::string& ca,
           const std::string& extensions) {
    write_file(dir.file(name + ".ext"), extensions);
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             dir.file(name + ".key"), "-out", dir.file(name + ".csr"), "-subj", subject});
    openssl({"x509", "-req", "-in", dir.file(name + ".csr"), "-CA", dir.file(ca + ".crt"), "-CAkey",
             dir.file(ca + ".key"), "-CAcreateserial", "-out", dir.file(name + ".crt"), "-days", "2",
             "-extfile", dir.file(name + ".ext")});
}

/// A self-signed CA `name`.crt / `name`.key.
void make_ca(const TempDir& dir, const std::string& name) {
    const std::string subject = "/CN=packd test " + name;
    std::vector<std::string> args{
        "req",    "-x509", "-new", "-newkey", "ec",   "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2",    "-subj",   subject};
    args.insert(args.end(),
                {"-keyout", dir.file(name + ".key"), "-out", dir.file(name + ".crt"), "-addext",
                 "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
    openssl(std::move(args));
}

struct BrokerOptions {
    /// Which CA signs the broker's certificate: "ca" (the one packd trusts) or "rogue_ca".
    std::string server_ca = "ca";
    bool require_client_certificate = false;
};

struct PackdOptions {
    std::string password = kSecret;
    bool client_certificate = false;
};

class BrokerAuth : public ::testing::Test {
  protected:
    void SetUp() override {
        make_ca(dir, "ca");
        make_ca(dir, "rogue_ca");
        // The broker's certificate names the address packd dials, as a real deployment's would.
        issue(dir, "server", "/CN=127.0.0.1", "ca",
              "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        issue(dir, "rogue_server", "/CN=127.0.0.1", "rogue_ca",
              "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        issue(dir, "client", "/CN=packd-it", "ca", "extendedKeyUsage=clientAuth\n");
        if (HasFatalFailure()) {
            return;
        }
        // mosquitto_passwd -c writes the file with the process umask; mosquitto 2 wants it
        // readable by its own user only.
        const RunResult pw =
            run({"mosquitto_passwd", "-b", "-c", dir.file("mosquitto.passwd"), kUser, kSecret});
        ASSERT_EQ(pw.code, 0) << pw.output;
        ::chmod(dir.file("mosquitto.passwd").c_str(), 0600);
    }

    /// packd must also stop cleanly from every state these tests leave it in (under ASan this
    /// is where leaks would show up).
    void TearDown() override {
        if (packd && packd->running()) {
            packd->signal(SIGTERM);
            EXPECT_EQ(packd->wait(15s), 0) << packd->output();
        }
    }

    /// A mosquitto with a TLS listener on tls_port; anonymous clients are refused on every
    /// listener (without per_listener_settings the security options are global).
    void start_broker(const BrokerOptions& opt = {}) {
        tls_port = free_port();
        int plain_port = free_port();
        while (plain_port == tls_port) {
            plain_port = free_port();
        }
        const std::string server = opt.server_ca == "ca" ? "server" : "rogue_server";
        // Each connection attempt is logged at notice level, to a file the test can read.
        std::string extra = "log_dest file " + dir.file("broker.log") + "\nlog_type notice\n";
        extra += "allow_anonymous false\npassword_file " + dir.file("mosquitto.passwd") + "\n";
        extra += "listener " + std::to_string(tls_port) + " 127.0.0.1\ncafile " + dir.file("ca.crt") + "\n";
        extra += "certfile " + dir.file(server + ".crt") + "\nkeyfile " + dir.file(server + ".key") + "\n";
        if (opt.require_client_certificate) {
            extra += "require_certificate true\n";
        }
        broker.emplace(extra, plain_port);
        ASSERT_TRUE(wait_for_port(tls_port, 10s)) << "the TLS listener did not come up";
    }

    /// packd's usual test config with the [broker] table pointed at the TLS listener.
    void start_daemon(const PackdOptions& opt = {}) {
        write_file(dir.file("packd.password"), opt.password + "\n");
        ::chmod(dir.file("packd.password").c_str(), 0600);
        std::string config = daemon_config(dir, tls_port);
        std::string broker_keys = "tls = true\nca_file = \"" + dir.file("ca.crt") + "\"\nusername = \"" +
                                  std::string(kUser) + "\"\npassword_file = \"" + dir.file("packd.password") +
                                  "\"\n";
        if (opt.client_certificate) {
            broker_keys += "cert_file = \"" + dir.file("client.crt") + "\"\nkey_file = \"" +
                           dir.file("client.key") + "\"\n";
        }
        const std::string table = "[broker]\n";
        const auto at = config.find(table);
        ASSERT_NE(at, std::string::npos) << config;
        config.insert(at + table.size(), broker_keys);
        write_file(dir.file("packd.toml"), config);
        // The broker may have logged the test's own port probe; count only packd's attempts.
        attempts_before_packd = count(read_file(dir.file("broker.log")), attempt_marker());
        packd = start_packd(dir);
    }

    /// How a shop connects: over TLS, trusting our CA, with the user name and password.
    mqtt::connect_options shop_options(bool with_client_certificate) const {
        auto ssl = mqtt::ssl_options_builder().enable_server_cert_auth(true).trust_store(dir.file("ca.crt"));
        if (with_client_certificate) {
            ssl.key_store(dir.file("client.crt")).private_key(dir.file("client.key"));
        }
        return mqtt::connect_options_builder()
            .mqtt_version(MQTTVERSION_3_1_1)
            .clean_session(true)
            .connect_timeout(5s)
            .user_name(kUser)
            .password(kSecret)
            .ssl(ssl.finalize())
            .finalize();
    }

    std::string shop_uri() const { return "ssl://127.0.0.1:" + std::to_string(tls_port); }

    void publish_order_over_tls(const std::string& payload, bool with_client_certificate) {
        mqtt::async_client shop(shop_uri(), "shop-tls-" + std::to_string(::getpid()), nullptr);
        shop.connect(shop_options(with_client_certificate))->wait();
        shop.publish(mqtt::make_message(kOrdersTopic, payload, 1, false))->wait();
        shop.disconnect()->wait();
    }

    void expect_order_becomes_label(bool with_client_certificate) {
        ASSERT_TRUE(packd->wait_for_output("connected to broker 127.0.0.1:" + std::to_string(tls_port), 10s))
            << packd->output();
        seed_catalogue(dir);
        ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 10s)) << packd->output();
        const std::string order = json{{"event_id", "evt-tls-1"},
                                       {"type", "order.created"},
                                       {"order",
                                        {{"id", "7001"},
                                         {"carrier", "DHL"},
                                         {"service", "Paket"},
                                         {"tracking_number", "JJD00012345677001"},
                                         {"ship_to",
                                          {{"name", "Jana Müller"},
                                           {"street1", "Hauptstr. 1"},
                                           {"city", "Köln"},
                                           {"postal_code", "50667"},
                                           {"country", "DE"}}},
                                         {"lines", {{{"sku", "MUG-RED"}, {"quantity", 1}}}}}}}
                                      .dump();
        ASSERT_NO_THROW(publish_order_over_tls(order, with_client_certificate));
        ASSERT_TRUE(wait_for_file(dir.file("labels/7001-shipping-1.zpl"), 10s)) << packd->output();
        EXPECT_NE(read_file(dir.file("labels/7001-shipping-1.zpl")).find("JJD00012345677001"),
                  std::string::npos);
    }

    /// Waits until packd has tried the TLS listener `n` times (mosquitto logs each attempt),
    /// so a test can tell one log line from one line per retry.
    bool wait_for_attempts(size_t n, std::chrono::milliseconds timeout) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (count(read_file(dir.file("broker.log")), attempt_marker()) < attempts_before_packd + n) {
            if (std::chrono::steady_clock::now() >= deadline) {
                return false;
            }
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }

    /// mosquitto's notice for each TCP connection to the TLS listener.
    std::string attempt_marker() const { return " on port " + std::to_string(tls_port) + "."; }

    static size_t count(const std::string& text, const std::string& what) {
        size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
            ++n;
        }
        return n;
    }

    TempDir dir;
    int tls_port = 0;
    size_t attempts_before_packd = 0;
    std::optional<Broker> broker;
    std::unique_ptr<Process> packd;
};

TEST_F(BrokerAuth, TlsWithPasswordCarriesOrders) {
    ASSERT_NO_FATAL_FAILURE(start_broker());
    ASSERT_NO_FATAL_FAILURE(start_daemon());
    expect_order_becomes_label(false);
}

TEST_F(BrokerAuth, WrongPasswordIsReportedOnceAndPackdKeepsRunning) {
    ASSERT_NO_FATAL_FAILURE(start_broker());
    ASSERT_NO_FATAL_FAILURE(start_daemon({.password = "not-the-secret"}));
    // mosquitto 2 answers a wrong password under MQTT 3.1.1 with CONNACK 5 (not authorised),
    // not with 4 (bad user name or password).
    const std::string line =
        "broker 127.0.0.1:" + std::to_string(tls_port) +
        ": broker refused the connection: not authorised (check broker.username and broker.password_file)";
    ASSERT_TRUE(packd->wait_for_output(line, 10s)) << packd->output();
    ASSERT_TRUE(wait_for_attempts(3, 10s)) << read_file(dir.file("broker.log"));
    ASSERT_TRUE(packd->running()) << packd->output();
    const std::string out = packd->output();
    EXPECT_EQ(count(out, "not authorised"), 1u)
        << "a changed error is logged once, not once per retry nor once per connection:\n"
        << out;
    EXPECT_EQ(out.find("connected to broker"), std::string::npos) << out;
    EXPECT_EQ(out.find("subscribed to"), std::string::npos) << out;

    const RunResult status = packctl(dir, {"status"});
    ASSERT_EQ(status.code, 0) << status.output;
    EXPECT_NE(status.output.find("broker offline"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("broker:   not connected to " + line.substr(std::string("broker ").size())),
              std::string::npos)
        << status.output;
}

TEST_F(BrokerAuth, UntrustedBrokerCertificateIsReportedOnceAndPackdKeepsRunning) {
    ASSERT_NO_FATAL_FAILURE(start_broker({.server_ca = "rogue_ca"}));
    ASSERT_NO_FATAL_FAILURE(start_daemon());
    // Paho reports a failed certificate check like a refused TCP connection (return code -1,
    // "TCP/TLS connect failure"), so the link names both causes and the keys to check.
    const std::string reason =
        "cannot reach the broker or the TLS handshake failed (check broker.host and broker.port, "
        "broker.ca_file, "
        "and that the broker's certificate names 127.0.0.1)";
    const std::string line = "broker 127.0.0.1:" + std::to_string(tls_port) + ": " + reason;
    ASSERT_TRUE(packd->wait_for_output(line, 10s)) << packd->output();
    ASSERT_TRUE(wait_for_attempts(3, 10s)) << read_file(dir.file("broker.log"));
    // The broker saw a TLS handshake that packd broke off over the certificate.
    EXPECT_NE(read_file(dir.file("broker.log")).find("unknown ca"), std::string::npos)
        << read_file(dir.file("broker.log"));
    ASSERT_TRUE(packd->running()) << packd->output();
    const std::string out = packd->output();
    EXPECT_EQ(count(out, reason), 1u) << out;
    EXPECT_EQ(out.find("connected to broker"), std::string::npos) << out;
    // The order subscription checks the certificate too, and says exactly what failed.
    EXPECT_EQ(out.find("subscribed to"), std::string::npos) << out;
    EXPECT_EQ(count(out, "TLS handshake with the broker failed: certificate verify failed"), 1u) << out;

    const RunResult status = packctl(dir, {"status"});
    ASSERT_EQ(status.code, 0) << status.output;
    EXPECT_NE(status.output.find("broker:   not connected to 127.0.0.1:" + std::to_string(tls_port) + ": " +
                                 reason),
              std::string::npos)
        << status.output;
}

TEST_F(BrokerAuth, ClientCertificateRequiredByTheBroker) {
    ASSERT_NO_FATAL_FAILURE(start_broker({.require_client_certificate = true}));
    ASSERT_NO_FATAL_FAILURE(start_daemon({.client_certificate = true}));
    expect_order_becomes_label(true);
    // The broker really asks for a certificate: the same shop without one is turned away.
    mqtt::async_client anonymous(shop_uri(), "shop-no-cert-" + std::to_string(::getpid()), nullptr);
    EXPECT_THROW(anonymous.connect(shop_options(false))->wait(), mqtt::exception);
}

TEST_F(BrokerAuth, ShopsWithWrongCredentialsOrAnUntrustedCertificateAreTurnedAwayAndChangeNothing) {
    issue(dir, "rogue_client", "/CN=packd-it", "rogue_ca", "extendedKeyUsage=clientAuth\n");
    ASSERT_NO_FATAL_FAILURE(start_broker({.require_client_certificate = true}));
    ASSERT_NO_FATAL_FAILURE(start_daemon({.client_certificate = true}));
    expect_order_becomes_label(true);
    ASSERT_FALSE(HasFatalFailure());

    // Each intruder tries to publish an order of its own; the broker turns each away before it can.
    struct Intruder {
        const char* what;
        std::string password;
        std::string certificate;  // the client certificate's file stem
    };
    const Intruder intruders[] = {
        {"a wrong password", "guessed", "client"},
        {"no password", "", "client"},
        {"a certificate from a CA the broker does not trust", kSecret, "rogue_client"}};
    int n = 0;
    for (const Intruder& intruder : intruders) {
        auto ssl = mqtt::ssl_options_builder()
                       .enable_server_cert_auth(true)
                       .trust_store(dir.file("ca.crt"))
                       .key_store(dir.file(intruder.certificate + ".crt"))
                       .private_key(dir.file(intruder.certificate + ".key"))
                       .finalize();
        auto options = mqtt::connect_options_builder()
                           .mqtt_version(MQTTVERSION_3_1_1)
                           .clean_session(true)
                           .connect_timeout(5s)
                           .user_name(kUser)
                           .ssl(ssl)
                           .finalize();
        if (!intruder.password.empty()) {
            options.set_password(intruder.password);
        }
        mqtt::async_client shop(shop_uri(), "intruder-" + std::to_string(n++), nullptr);
        EXPECT_THROW(shop.connect(options)->wait(), mqtt::exception) << "a shop with " << intruder.what;
        if (shop.is_connected()) {
            shop.publish(mqtt::make_message(kOrdersTopic, order_payload("evt-intruder", "6666", "MUG-RED", 1),
                                            1, false))
                ->wait();
            shop.disconnect()->wait();
        }
    }

    // packd is still connected and holds only the order the trusted shop sent; the next one goes through.
    ASSERT_TRUE(packd->running()) << packd->output();
    const RunResult orders = packctl(dir, {"--json", "orders"});
    ASSERT_EQ(orders.code, 0) << orders.output;
    const json list = json::parse(orders.output)["orders"];
    ASSERT_EQ(list.size(), 1u) << orders.output;
    EXPECT_EQ(list[0]["id"], "7001");
    const std::string next = order_payload("evt-tls-2", "7002", "MUG-RED", 1);
    ASSERT_NO_THROW(publish_order_over_tls(next, true));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string state;
    while (state != "accepted" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
        const auto order = json::parse(packctl(dir, {"--json", "order", "7002"}).output, nullptr, false);
        state = order.is_object() && order.contains("order") ? order["order"].value("state", "") : "";
    }
    EXPECT_EQ(state, "accepted") << packd->output();
}

}  // namespace
}  // namespace packd::test
