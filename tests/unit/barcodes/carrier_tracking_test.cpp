// Carrier tracking numbers read off labels: each scheme's example numbers in public circulation, the same
// numbers with one digit changed (recognised as that carrier's shape, refused with the carrier and the check
// in the reason), and codes that are no carrier's number at all.

#include "packd/fulfillment/barcodes/carrier_tracking.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace packd::fulfillment {
namespace {

struct Example {
    std::string code;
    std::string carrier;
    std::string scheme;
    std::string number;  ///< the tracking number in the code
};

// Example numbers in public circulation, one or more per scheme (each scheme's rule and its source are in
// carrier_tracking.cpp).
const std::vector<Example> kValid = {
    {"1Z999AA10123456784", "UPS", "UPS 1Z", "1Z999AA10123456784"},
    {"RR123456785CH", "UPU S10", "UPU S10", "RR123456785CH"},
    {"RR473124829GB", "UPU S10", "UPU S10", "RR473124829GB"},
    {"986578788855", "FedEx", "FedEx Express 12", "986578788855"},
    {"477179081230", "FedEx", "FedEx Express 12", "477179081230"},
    {"012345678983", "FedEx", "FedEx Express 12", "012345678983"},
    {"041441760228964", "FedEx", "FedEx Ground 15", "041441760228964"},
    {"568283610012734", "FedEx", "FedEx Ground 15", "568283610012734"},
    {"9611020987654312345672", "FedEx", "FedEx Ground 96 barcode", "987654312345672"},
    {"1001921334250001000300779017972697", "FedEx", "FedEx 34-digit barcode", "779017972697"},
    {"1001901781990001000300617767839437", "FedEx", "FedEx 34-digit barcode", "617767839437"},
    {"9622001900000000000000776632517510", "FedEx", "FedEx 34-digit barcode", "776632517510"},
    {"9205590164917312751089", "USPS", "USPS IMpb", "9205590164917312751089"},
    {"9361289878700317633795", "USPS", "USPS IMpb", "9361289878700317633795"},
    {"9400111201080805483016", "USPS", "USPS IMpb", "9400111201080805483016"},
    {"9505511069605048600624", "USPS", "USPS IMpb", "9505511069605048600624"},
    {"9101123456789000000013", "USPS", "USPS IMpb", "9101123456789000000013"},
    {"92748931507708513018050063", "USPS", "USPS IMpb", "92748931507708513018050063"},
    {"420221539101026837331000039521", "USPS", "USPS IMpb", "9101026837331000039521"},
    {"4201002334249200190132607600833457", "USPS", "USPS IMpb", "9200190132607600833457"},
    {"3318810025", "DHL Express", "DHL Express waybill", "3318810025"},
    {"8487135506", "DHL Express", "DHL Express waybill", "8487135506"},
    {"1099255990", "DHL Express", "DHL Express waybill", "1099255990"},
    {"GM2951173225174494", "DHL eCommerce", "DHL eCommerce GM", "GM2951173225174494"},
    {"GM295117494011169042", "DHL eCommerce", "DHL eCommerce GM", "GM295117494011169042"},
};

TEST(CarrierTracking, ExampleNumbersReadAsTheirCarriersNumbers) {
    for (const Example& e : kValid) {
        SCOPED_TRACE(e.code);
        const auto c = carrier_number(e.code);
        ASSERT_TRUE(c);
        EXPECT_TRUE(c->check_ok) << c->reason;
        EXPECT_EQ(c->reason, "");
        EXPECT_EQ(c->carrier, e.carrier);
        EXPECT_EQ(c->scheme, e.scheme);
        EXPECT_EQ(c->number, e.number);
        EXPECT_TRUE(c->scheme.starts_with(c->carrier)) << "a scheme is named after its carrier";
        // The number on its own is that carrier's number again, as a shop would store it.
        const auto again = carrier_number(c->number);
        ASSERT_TRUE(again);
        EXPECT_TRUE(again->check_ok);
        EXPECT_EQ(again->carrier, e.carrier);
        EXPECT_EQ(again->number, e.number);
    }
}

TEST(CarrierTracking, RoutingPrefixGivesTheZipCode) {
    auto c = carrier_number("420221539101026837331000039521");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->postal_code, "22153");
    // 420 + ZIP+4 + 22 digits; read as 420 + ZIP + 26 digits, its check digit would not hold.
    c = carrier_number("4201028200009261290113185417468510");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->check_ok);
    EXPECT_EQ(c->postal_code, "102820000");
    EXPECT_EQ(c->number, "9261290113185417468510");
    EXPECT_EQ(carrier_number("9205590164917312751089")->postal_code, "");
}

// The examples with one digit changed, and what the reason must name.
struct Wrong {
    std::string code;
    std::string carrier;
    std::string check;
};

TEST(CarrierTracking, OneChangedDigitIsThatCarriersShapeWithAWrongCheckDigit) {
    const std::vector<Wrong> wrong = {
        {"1Z999AA10123556784", "UPS", "UPS mod 10"},
        {"1Z999AA10123456785", "UPS", "UPS mod 10"},
        {"RR123456795CH", "UPU S10", "S10 mod 11"},
        {"RR123456784CH", "UPU S10", "S10 mod 11"},
        {"986578788955", "FedEx Express", "FedEx mod 11"},
        {"996578788855", "FedEx Express", "FedEx mod 11"},
        {"568283610013000", "FedEx Ground", "mod 10"},
        {"568283610012732", "FedEx Ground", "mod 10"},
        {"9611020987654412345672", "FedEx Ground", "mod 10"},
        {"1001921334250001000300779017973697", "FedEx", "FedEx mod 11"},
        {"1001901781990001000300617767839438", "FedEx", "FedEx mod 11"},
        {"9205590164917312752089", "USPS", "USPS mod 10"},
        {"92748931507708513018051063", "USPS", "USPS mod 10"},
        {"420221539101026837331000049521", "USPS", "USPS mod 10"},
        {"4201002334249200190132607600834457", "USPS", "USPS mod 10"},
        {"3318810125", "DHL Express", "DHL mod 7"},
        {"3318810010", "DHL Express", "DHL mod 7"},
    };
    for (const Wrong& w : wrong) {
        SCOPED_TRACE(w.code);
        const auto c = carrier_number(w.code);
        ASSERT_TRUE(c) << "a wrong check digit keeps the carrier's shape";
        EXPECT_FALSE(c->check_ok);
        EXPECT_NE(c->reason.find(w.carrier), std::string::npos) << c->reason;
        EXPECT_NE(c->reason.find(w.check), std::string::npos) << c->reason;
        EXPECT_NE(c->reason.find("check digit"), std::string::npos) << c->reason;
    }
    const auto fedex = carrier_number("986578788856");
    ASSERT_TRUE(fedex);
    EXPECT_EQ(fedex->reason,
              "FedEx Express tracking number 986578788856: its check digit is 6, but the FedEx mod 11 check "
              "(weights 1 3 7 from the right) gives 5");
    const auto routed = carrier_number("420221539101026837331000039522");
    ASSERT_TRUE(routed);
    EXPECT_NE(routed->reason.find("after the routing prefix 420 and ZIP code 22153"), std::string::npos)
        << routed->reason;
}

TEST(CarrierTracking, CheckDigitsMatchWorkedExamples) {
    // FedEx's worked example: 0 1 2 3 4 5 6 7 8 9 8 weighted 3 1 7 ... from the left, sum 179, 179 mod 11
    // = 3.
    EXPECT_EQ(fedex_express_check_digit("01234567898"), 3);
    EXPECT_EQ(fedex_express_check_digit("98657878885"), 5);
    EXPECT_EQ(fedex_express_check_digit("47717908123"), 0);  // sum 165, remainder 0
    EXPECT_EQ(fedex_express_check_digit("12345678909"), 0);  // sum 186, remainder 10 gives 0 too
    EXPECT_EQ(dhl_express_check_digit("331881002"), 5);      // 331881002 = 7 x 47411571 + 5
    EXPECT_EQ(dhl_express_check_digit("000000000"), 0);
}

TEST(CarrierTracking, DhlEcommerceHasNoCheckDigitToProveIt) {
    const auto c = carrier_number("GM2951173225174494");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->check_ok);
    EXPECT_FALSE(c->has_check_digit);
    EXPECT_TRUE(carrier_number("GM1234567890123456")->check_ok) << "any digits will do";
    EXPECT_FALSE(carrier_number("GM295117322517449")) << "15 digits after GM";
    EXPECT_FALSE(carrier_number("GM29511732251744941234567")) << "23 digits after GM";
    EXPECT_FALSE(carrier_number("GS295117494011169041"));
    EXPECT_FALSE(carrier_number("GM29511732251744A4"));
}

TEST(CarrierTracking, OtherCodesAreNoCarriersNumber) {
    for (const char* code :
         {"", "hello", "ORD-1001", "4006381333931", "376104250021234569", "1Z999AA1012345678",
          "1z999aa10123456784", "1Z999AA1012345678-", "12345678901", "RR12345678CH", "rr123456785ch",
          "9005590164917312751089", "420221539101026837331000039521X",
          "4202215300009101026837331000039521000", "12345678901234567890"}) {
        SCOPED_TRACE(code);
        EXPECT_FALSE(carrier_number(code));
    }
}

}  // namespace
}  // namespace packd::fulfillment
