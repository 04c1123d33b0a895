#include "packd/fulfillment/stations/scan_code.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/fulfillment/store/store.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

constexpr int kYear = 2026;

// Element strings as GS1 publishes them (tests/data/scanner/README.md says where each comes from).
TEST(Gs1Fields, DataMatrixGuidelineExample) {
    // GS1 DataMatrix Guideline: (01)09501101530003(17)140704(10)AB-123, transmitted as ]d2 + data with a
    // GS only after the variable-length lot when more follows.
    auto f = read_gs1_fields(
        "0109501101530003171407041"
        "0AB-123",
        kYear);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->gtin, "09501101530003");
    EXPECT_EQ(f->expiry, "2014-07-04");
    EXPECT_EQ(f->lot, "AB-123");
    auto human = read_gs1_fields("(01)09501101530003(17)140704(10)AB-123", kYear);
    ASSERT_TRUE(human);
    EXPECT_EQ(human->elements.size(), 3u);
    EXPECT_EQ(gs1_transmitted(human->elements),
              "010950110153000317140704"
              "10AB-123");
}

TEST(Gs1Fields, LogisticLabelExample) {
    // GS1 Logistic Label Guideline: SSCC (00)376104250021234569 on a pallet, with content and count.
    auto f = read_gs1_fields("(00)376104250021234569", kYear);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->sscc, "376104250021234569");
    auto content = read_gs1_fields(
        "02095011015300031715123137"
        "20\x1d"
        "10LOT7",
        kYear);
    ASSERT_TRUE(content) << content.error().message;
    EXPECT_EQ(content->content_gtin, "09501101530003");
    EXPECT_EQ(content->expiry, "2015-12-31");
    EXPECT_EQ(content->content_count, 20);
    EXPECT_EQ(content->lot, "LOT7");
}

TEST(Gs1Fields, WeightCountsDatesAndShipTo) {
    // General Specifications 3.6.2: (3103)001250 is 1.250 kg; (3102)000525 is 5.25 kg.
    auto f = read_gs1_fields("(01)95012345678903(3103)001250(30)12(21)SN-1(400)PO-77(420)12345", kYear);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->net_weight_mg, 1'250'000);
    EXPECT_EQ(f->count, 12);
    EXPECT_EQ(f->serial, "SN-1");
    EXPECT_EQ(f->order_number, "PO-77");
    EXPECT_EQ(f->ship_to_postal_code, "12345");
    EXPECT_EQ(read_gs1_fields("(3102)000525", kYear)->net_weight_mg, 5'250'000);
    auto ship = read_gs1_fields("(421)2762100", kYear);  // 276 = Germany, postal code 2100
    ASSERT_TRUE(ship);
    EXPECT_EQ(ship->ship_to_country, "276");
    EXPECT_EQ(ship->ship_to_postal_code, "2100");
    // Day 00 is the last day of the month (General Specifications 7.12), leap years included.
    EXPECT_EQ(read_gs1_fields("(17)280200", kYear)->expiry, "2028-02-29");
    EXPECT_EQ(read_gs1_fields("(15)270400", kYear)->best_before, "2027-04-30");
    // The century window: up to 49 years ahead, 50 behind.
    EXPECT_EQ(read_gs1_fields("(11)751231", kYear)->production_date, "2075-12-31");
    EXPECT_EQ(read_gs1_fields("(11)761231", kYear)->production_date, "2076-12-31");
    EXPECT_EQ(read_gs1_fields("(11)771231", kYear)->production_date, "1977-12-31");
}

TEST(Gs1Fields, BadDataGivesAClearReason) {
    auto expect_reason = [](std::string_view data, std::string_view part) {
        auto f = read_gs1_fields(data, kYear);
        ASSERT_FALSE(f) << data;
        EXPECT_NE(f.error().message.find(part), std::string::npos) << f.error().message;
    };
    expect_reason("(01)09501101530004", "check digit");
    expect_reason("(00)376104250021234560", "check digit");
    expect_reason("0109501101530", "needs exactly 14 digits");  // truncated
    expect_reason("01095011015300031714", "needs exactly 6 digits");
    expect_reason("(17)141304", "month 13");
    expect_reason("(17)140231", "day 31");
    expect_reason("(11)150229", "day 29");
    expect_reason("(30)12A", "digits only");
    expect_reason("(10)ABCDEFGHIJKLMNOPQRSTUVWXYZ", "at most 20");
    expect_reason("(421)12", "country code");
    expect_reason("(3107)001250", "decimal point");
    expect_reason("(10)A\x01", "character outside");
    expect_reason("(10)A(10)B", "twice");
    expect_reason("", "empty");
    expect_reason("99", "no data");
    expect_reason("(27)1", "no GS1 application identifier");
}

TEST(Symbology, IdentifiersAreSplitAndNamed) {
    auto [gs1, rest] = split_symbology(
        "]C1"
        "0109501101530003");
    EXPECT_EQ(gs1.id, "]C1");
    EXPECT_EQ(gs1.name, "GS1-128");
    EXPECT_TRUE(gs1.gs1);
    EXPECT_EQ(rest, "0109501101530003");
    EXPECT_TRUE(split_symbology("]d2x").first.gs1);
    EXPECT_TRUE(split_symbology("]Q3x").first.gs1);
    EXPECT_FALSE(split_symbology("]Q1x").first.gs1);
    EXPECT_EQ(split_symbology("]E04006381333931").first.name, "EAN-13/UPC-A");
    EXPECT_EQ(split_symbology("]X9abc").first.name, "unknown");
    EXPECT_EQ(split_symbology("ABC").first.id, "");
    EXPECT_EQ(split_symbology("]").second, "]");
}

// Classification against a real store in a temporary folder.
class ScanInterpretation : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_barcode({"4006381333931", "MUG", "gtin13", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"14006381333938", "MUG", "gtin14", 6}).ok());
        ASSERT_TRUE(inventory->put_barcode({"MUG-RED", "MUG", "internal", 1}).ok());
        ASSERT_TRUE(inventory->put_location("A-01-03", "bin").ok());
        tx.commit();
        rules.this_year = kYear;
    }

    ScanMeaning scan(std::string_view data, std::string_view symbology = {}) {
        return interpret_scan(data, symbology, rules, catalogue_of(*inventory));
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    ScanRules rules;
};

TEST_F(ScanInterpretation, ProductsByGtinGs1AndInternalCode) {
    auto m = scan("]E04006381333931");
    EXPECT_EQ(m.kind, ScanKind::product);
    EXPECT_EQ(m.sku, "MUG");
    m = scan("04006381333931");  // the same GTIN as GTIN-14
    EXPECT_EQ(m.sku, "MUG");
    m = scan(
        "]C1"
        "0114006381333938"
        "10L1");
    EXPECT_EQ(m.kind, ScanKind::product);
    EXPECT_EQ(m.pack_qty, 6);
    ASSERT_TRUE(m.gs1);
    EXPECT_EQ(m.gs1->lot, "L1");
    m = scan("MUG-RED");
    EXPECT_EQ(m.sku, "MUG");
    m = scan("09501101530003");
    EXPECT_EQ(m.kind, ScanKind::product);
    EXPECT_EQ(m.sku, "");
    EXPECT_NE(m.note.find("not in the catalogue"), std::string::npos);
    m = scan("4006381333932");
    EXPECT_EQ(m.kind, ScanKind::invalid);
    EXPECT_NE(m.reason.find("check digit of GTIN-13"), std::string::npos) << m.reason;
}

TEST_F(ScanInterpretation, EveryKindOfCode) {
    EXPECT_EQ(scan("]C1"
                   "00376104250021234569")
                  .kind,
              ScanKind::shipping_unit);
    EXPECT_EQ(scan("376104250021234569").kind, ScanKind::shipping_unit);
    EXPECT_EQ(scan("00376104250021234569").kind, ScanKind::shipping_unit);  // GS1 without identifier
    EXPECT_EQ(scan("A-01-03").kind, ScanKind::location);
    EXPECT_EQ(scan("ORD-1001").kind, ScanKind::order);
    EXPECT_EQ(scan("(400)PO-77").code, "PO-77");
    EXPECT_EQ(scan("TOTE-17").kind, ScanKind::tote);
    EXPECT_EQ(scan("RMA-2026-0042").kind, ScanKind::rma);
    EXPECT_EQ(scan("DONE").kind, ScanKind::command);
    EXPECT_EQ(scan("REPRINT\r\n").kind, ScanKind::command);
    EXPECT_EQ(scan("1Z999AA10123456784").kind, ScanKind::tracking);  // UPS's published example
    EXPECT_EQ(scan("1Z999AA10123456785").kind, ScanKind::invalid);
    EXPECT_EQ(scan("RR123456785CH").kind, ScanKind::tracking);  // UPU S10 example
    EXPECT_EQ(scan("RR123456784CH").kind, ScanKind::invalid);
    EXPECT_EQ(scan("(420)12345").kind, ScanKind::gs1);
}

TEST_F(ScanInterpretation, EveryCarriersNumberIsATrackingScan) {
    struct Case {
        std::string data, code, note;
    };
    const std::vector<Case> cases = {
        {"1Z999AA10123456784", "1Z999AA10123456784", "UPS 1Z"},
        {"RR123456785CH", "RR123456785CH", "UPU S10"},
        {"986578788855", "986578788855", "FedEx Express 12"},
        {"568283610012734", "568283610012734", "FedEx Ground 15"},
        {"9611020987654312345672", "987654312345672", "FedEx Ground 96 barcode"},
        {"1001921334250001000300779017972697", "779017972697", "FedEx 34-digit barcode"},
        {"9205590164917312751089", "9205590164917312751089", "USPS IMpb"},
        {"420221539101026837331000039521", "9101026837331000039521", "USPS IMpb, routed to ZIP code 22153"},
        {"4201002334249200190132607600833457", "9200190132607600833457",
         "USPS IMpb, routed to ZIP code 100233424"},
        {"3318810025", "3318810025", "DHL Express waybill"},
        {"GM2951173225174494", "GM2951173225174494", "DHL eCommerce GM (a number without a check digit)"},
        {"]C09611020987654312345672", "987654312345672", "FedEx Ground 96 barcode"},  // Code 128 identifier
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.data);
        const ScanMeaning m = scan(c.data);
        EXPECT_EQ(m.kind, ScanKind::tracking) << m.reason;
        EXPECT_EQ(m.code, c.code);
        EXPECT_TRUE(m.note.starts_with(c.note)) << m.note;
    }
}

TEST_F(ScanInterpretation, WrongCheckDigitsAreRefusedNamingTheCarrierAndTheCheck) {
    for (const auto& [data, carrier, check] : std::vector<std::array<std::string, 3>>{
             {"1Z999AA10123456785", "UPS", "UPS mod 10"},
             {"RR123456784CH", "UPU S10", "S10 mod 11"},
             {"568283610012732", "FedEx Ground", "mod 10"},
             {"9611020987654412345672", "FedEx Ground", "mod 10"},
             {"1001901781990001000300617767839438", "FedEx", "FedEx mod 11"},
             {"9205590164917312752089", "USPS", "USPS mod 10"},
             {"420221539101026837331000049521", "USPS", "USPS mod 10"},
             {"3318810125", "DHL Express", "DHL mod 7"}}) {
        SCOPED_TRACE(data);
        const ScanMeaning m = scan(data);
        EXPECT_EQ(m.kind, ScanKind::invalid);
        EXPECT_NE(m.reason.find(carrier), std::string::npos) << m.reason;
        EXPECT_NE(m.reason.find(check), std::string::npos) << m.reason;
        EXPECT_FALSE(scan_is_verifiable(data, rules, catalogue_of(*inventory)));
    }
}

TEST_F(ScanInterpretation, TwelveDigitsAreAGtin12OrAFedExNumberByTheirCheckDigits) {
    // GTIN check holds, FedEx's does not: a product the catalogue does not know, as before.
    auto m = scan("036000291452");
    EXPECT_EQ(m.kind, ScanKind::product);
    EXPECT_NE(m.note.find("not in the catalogue"), std::string::npos) << m.note;
    EXPECT_NE(m.note.find("read as a GTIN-12"), std::string::npos) << m.note;
    // FedEx's holds, the GTIN's does not: tracking.
    m = scan("986578788855");
    EXPECT_EQ(m.kind, ScanKind::tracking);
    EXPECT_NE(m.note.find("not a GTIN-12"), std::string::npos) << m.note;
    // Both hold and the catalogue does not know it: tracking, and the note says it reads as a GTIN too.
    m = scan("400000079196");
    EXPECT_EQ(m.kind, ScanKind::tracking);
    EXPECT_EQ(m.code, "400000079196");
    EXPECT_NE(m.note.find("also reads as GTIN-12 400000079196, which is not in the catalogue"),
              std::string::npos)
        << m.note;
    // From a UPC-A symbol it can only be a GTIN.
    m = scan("]E0400000079196");
    EXPECT_EQ(m.kind, ScanKind::product);
    // Neither holds: refused, both checks named.
    m = scan("036000291453");
    EXPECT_EQ(m.kind, ScanKind::invalid);
    EXPECT_NE(m.reason.find("check digit of GTIN-12 036000291453 is wrong"), std::string::npos) << m.reason;
    EXPECT_NE(m.reason.find("FedEx mod 11"), std::string::npos) << m.reason;
    // A code the catalogue knows is its product, whichever check digit holds.
    {
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_barcode({"400000079196", "MUG", "gtin12", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"477179081230", "MUG", "internal", 2}).ok());
        tx.commit();
    }
    m = scan("400000079196");
    EXPECT_EQ(m.kind, ScanKind::product);
    EXPECT_EQ(m.sku, "MUG");
    EXPECT_NE(m.note.find("a catalogue barcode"), std::string::npos) << m.note;
    m = scan("477179081230");  // FedEx-valid, GTIN-invalid, but the catalogue's
    EXPECT_EQ(m.kind, ScanKind::product);
    EXPECT_EQ(m.pack_qty, 2);
}

TEST_F(ScanInterpretation, A420DigitStringIsAnImpbUnlessAGs1IdentifierCameWithIt) {
    auto m = scan("420221539101026837331000039521");
    EXPECT_EQ(m.kind, ScanKind::tracking);
    EXPECT_FALSE(m.gs1);
    m = scan("420221539101026837331000039521", "]C0");  // plain Code 128 reported by the driver
    EXPECT_EQ(m.kind, ScanKind::tracking);
    // With GS1-128's identifier it is GS1 data: (420) ship-to postal code, FNC1, then (91).
    m = scan(
        "]C1"
        "42022153\x1d"
        "9101026837331000039521");
    EXPECT_EQ(m.kind, ScanKind::gs1);
    ASSERT_TRUE(m.gs1);
    EXPECT_EQ(m.gs1->ship_to_postal_code, "22153");
    m = scan("(420)22153(91)01026837331000039521");
    EXPECT_EQ(m.kind, ScanKind::gs1);
}

TEST_F(ScanInterpretation, CarrierNumbersProveAKeyboardLayoutByTheirCheckDigits) {
    const ScanCatalogue c = catalogue_of(*inventory);
    for (const char* valid : {"1Z999AA10123456784", "986578788855", "9611020987654312345672",
                              "420221539101026837331000039521", "3318810025"}) {
        EXPECT_TRUE(scan_is_verifiable(valid, rules, c)) << valid;
    }
    EXPECT_FALSE(scan_is_verifiable("3318810026", rules, c));
    EXPECT_FALSE(scan_is_verifiable("GM2951173225174494", rules, c)) << "no check digit to prove it";
}

TEST_F(ScanInterpretation, InvalidScansSayWhy) {
    auto m = scan("hello");
    EXPECT_EQ(m.kind, ScanKind::invalid);
    EXPECT_NE(m.reason.find("unknown code 'hello'"), std::string::npos);
    EXPECT_NE(scan("").reason.find("empty"), std::string::npos);
    EXPECT_NE(scan("\xff\xfe").reason.find("not text"), std::string::npos);
    m = scan(
        "]C1"
        "01095011015300");
    EXPECT_NE(m.reason.find("needs exactly 14 digits"), std::string::npos) << m.reason;
}

TEST_F(ScanInterpretation, VerifiableCodesProveAKeyboardLayout) {
    const ScanCatalogue c = catalogue_of(*inventory);
    EXPECT_TRUE(scan_is_verifiable("4006381333931", rules, c));
    EXPECT_TRUE(scan_is_verifiable("MUG-RED", rules, c));
    EXPECT_TRUE(scan_is_verifiable("A-01-03", rules, c));
    EXPECT_TRUE(scan_is_verifiable("0109501101530003", rules, c));
    EXPECT_FALSE(scan_is_verifiable("$))^#*!###(#!", rules, c));
    EXPECT_FALSE(scan_is_verifiable("MUG_RED", rules, c));
}

TEST_F(ScanInterpretation, EventJsonCarriesTheMeaningOrTheReason) {
    ScanEvent e{"pack-1",
                "wedge-1",
                "]C1"
                "0109501101530003"
                "17140704",
                "]C1",
                scan("]C1"
                     "0109501101530003"
                     "17140704"),
                ""};
    const nlohmann::json j = to_json(e);
    EXPECT_EQ(j["kind"], "product");
    EXPECT_EQ(j["expiry"], "2014-07-04");
    EXPECT_EQ(j["gs1"]["01"], "09501101530003");
    e.meaning = scan("nope");
    EXPECT_EQ(to_json(e)["valid"], false);
    EXPECT_NE(to_json(e)["reason"].get<std::string>().find("unknown code"), std::string::npos);
}

}  // namespace
}  // namespace packd::fulfillment
