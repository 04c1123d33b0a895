#pragma once
// A postal address: the recipient of an order, the sender of a label. Orders keep it and labels print it;
// it belongs to neither.

#include <string>

namespace packd::fulfillment {

struct Address {
    std::string name;
    std::string company;
    std::string street1;
    std::string street2;
    std::string city;
    std::string
        region;  // state or province; when set the city line reads "City, RG 12345", else "12345 City"
    std::string postal_code;
    std::string country;
};

}  // namespace packd::fulfillment
