#include "stats/io/sdmx.hpp"

#include "kernel/text.hpp"

#include <expat.h>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <sstream>

namespace sanad::sdmx {

namespace {

const char* kMes = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message";
const char* kStr = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure";
const char* kCom = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common";
const char* kSs = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific";

std::string names(const std::string& fr, const std::string& ar, const std::string& indent) {
  std::string o =
      fmt::format("{}<com:Name xml:lang=\"fr\">{}</com:Name>\n", indent, markup_escape(fr));
  if (!ar.empty())
    o += fmt::format("{}<com:Name xml:lang=\"ar\">{}</com:Name>\n", indent, markup_escape(ar));
  return o;
}

std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{}", v);
}

std::string concept_ref(const Dsd& d, const std::string& id) {
  return fmt::format(
      "<Ref id=\"{}\" maintainableParentID=\"CS_{}\" maintainableParentVersion=\"{}\" "
      "agencyID=\"{}\" class=\"Concept\" package=\"conceptscheme\"/>",
      id, d.id, d.version, d.agency);
}

std::string codelist_ref(const Dsd& d, const std::string& id) {
  return fmt::format(
      "<Ref id=\"{}\" version=\"{}\" agencyID=\"{}\" class=\"Codelist\" package=\"codelist\"/>", id,
      d.version, d.agency);
}

std::string header(const std::string& id, const std::string& prepared) {
  return fmt::format(
      "  <mes:Header>\n    <mes:ID>{}</mes:ID>\n    <mes:Test>false</mes:Test>\n    "
      "<mes:Prepared>{}</mes:Prepared>\n    <mes:Sender id=\"SANAD\"/>\n",
      id, prepared);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

}  // namespace

Codelist obs_status_codelist() {
  return {
      "CL_OBS_STATUS",
      "Statut de l'observation",
      "حالة المشاهدة",
      {{"A", "Valeur normale", "قيمة عادية", ""}, {"M", "Valeur manquante", "قيمة مفقودة", ""}}};
}

Codelist conf_status_codelist() {
  return {"CL_CONF_STATUS",
          "Statut de confidentialité",
          "حالة السرية",
          {{"F", "Libre", "حرة", ""},
           {"C", "Confidentiel (effectif inférieur au seuil)", "سري (عدد أقل من العتبة)", ""},
           {"D", "Confidentialité secondaire", "سرية ثانوية", ""}}};
}

std::string data_namespace(const Dsd& d) {
  return fmt::format(
      "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={}:{}({}):ObsLevelDim:AllDimensions",
      d.agency, d.id, d.version);
}

std::string structure_xml(const Dsd& d, const std::string& prepared) {
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += fmt::format("<mes:Structure xmlns:mes=\"{}\" xmlns:str=\"{}\" xmlns:com=\"{}\">\n", kMes,
                   kStr, kCom);
  o += header(d.id, prepared) + "  </mes:Header>\n  <mes:Structures>\n";
  // Dataflow.
  o += "    <str:Dataflows>\n";
  o += fmt::format("      <str:Dataflow id=\"{}\" agencyID=\"{}\" version=\"{}\">\n", d.dataflow,
                   d.agency, d.version);
  o += names(d.name_fr, d.name_ar, "        ");
  o += fmt::format(
      "        <str:Structure><Ref id=\"{}\" version=\"{}\" agencyID=\"{}\" "
      "class=\"DataStructure\" package=\"datastructure\"/></str:Structure>\n",
      d.id, d.version, d.agency);
  o += "      </str:Dataflow>\n    </str:Dataflows>\n";
  // Codelists.
  o += "    <str:Codelists>\n";
  for (const auto& cl : d.codelists) {
    o += fmt::format("      <str:Codelist id=\"{}\" agencyID=\"{}\" version=\"{}\">\n", cl.id,
                     d.agency, d.version);
    o += names(cl.name_fr, cl.name_ar, "        ");
    for (const auto& c : cl.codes) {
      o += fmt::format("        <str:Code id=\"{}\">\n", markup_escape(c.id));
      o += names(c.name_fr, c.name_ar, "          ");
      if (!c.parent.empty())
        o += fmt::format("          <str:Parent><Ref id=\"{}\"/></str:Parent>\n",
                         markup_escape(c.parent));
      o += "        </str:Code>\n";
    }
    o += "      </str:Codelist>\n";
  }
  o += "    </str:Codelists>\n";
  // Concepts.
  o += "    <str:Concepts>\n";
  o += fmt::format("      <str:ConceptScheme id=\"CS_{}\" agencyID=\"{}\" version=\"{}\">\n", d.id,
                   d.agency, d.version);
  o += names("Concepts de " + d.name_fr, "", "        ");
  auto concept_ = [&](const std::string& id, const std::string& fr, const std::string& ar) {
    o += fmt::format("        <str:Concept id=\"{}\">\n", id);
    o += names(fr, ar, "          ");
    o += "        </str:Concept>\n";
  };
  for (const auto& dim : d.dimensions) concept_(dim.id, dim.name_fr, dim.name_ar);
  concept_("TIME_PERIOD", "Année scolaire (année de la rentrée)", "السنة الدراسية (سنة الدخول)");
  concept_("OBS_VALUE", "Valeur", "القيمة");
  concept_("OBS_STATUS", "Statut de l'observation", "حالة المشاهدة");
  concept_("CONF_STATUS", "Statut de confidentialité", "حالة السرية");
  o += "      </str:ConceptScheme>\n    </str:Concepts>\n";
  // The data structure.
  o += "    <str:DataStructures>\n";
  o += fmt::format("      <str:DataStructure id=\"{}\" agencyID=\"{}\" version=\"{}\">\n", d.id,
                   d.agency, d.version);
  o += names(d.name_fr, d.name_ar, "        ");
  o += "        <str:DataStructureComponents>\n";
  o += "          <str:DimensionList id=\"DimensionDescriptor\">\n";
  for (std::size_t i = 0; i < d.dimensions.size(); ++i) {
    const auto& dim = d.dimensions[i];
    o += fmt::format("            <str:Dimension id=\"{}\" position=\"{}\">\n", dim.id, i + 1);
    o += fmt::format("              <str:ConceptIdentity>{}</str:ConceptIdentity>\n",
                     concept_ref(d, dim.id));
    o += fmt::format(
        "              <str:LocalRepresentation><str:Enumeration>{}</str:Enumeration>"
        "</str:LocalRepresentation>\n",
        codelist_ref(d, d.codelists[dim.codelist].id));
    o += "            </str:Dimension>\n";
  }
  o += fmt::format(
      "            <str:TimeDimension id=\"TIME_PERIOD\" position=\"{}\">\n"
      "              <str:ConceptIdentity>{}</str:ConceptIdentity>\n"
      "              <str:LocalRepresentation><str:TextFormat "
      "textType=\"ObservationalTimePeriod\"/>"
      "</str:LocalRepresentation>\n            </str:TimeDimension>\n",
      d.dimensions.size() + 1, concept_ref(d, "TIME_PERIOD"));
  o += "          </str:DimensionList>\n";
  o += "          <str:AttributeList id=\"AttributeDescriptor\">\n";
  for (const char* a : {"OBS_STATUS", "CONF_STATUS"}) {
    o += fmt::format("            <str:Attribute id=\"{}\" assignmentStatus=\"Mandatory\">\n", a);
    o += fmt::format("              <str:ConceptIdentity>{}</str:ConceptIdentity>\n",
                     concept_ref(d, a));
    o += fmt::format(
        "              <str:LocalRepresentation><str:Enumeration>{}</str:Enumeration>"
        "</str:LocalRepresentation>\n",
        codelist_ref(d, std::string("CL_") + a));
    o += "              <str:AttributeRelationship><str:PrimaryMeasure><Ref id=\"OBS_VALUE\"/>"
         "</str:PrimaryMeasure></str:AttributeRelationship>\n";
    o += "            </str:Attribute>\n";
  }
  o += "          </str:AttributeList>\n";
  o += fmt::format(
      "          <str:MeasureList id=\"MeasureDescriptor\">\n"
      "            <str:PrimaryMeasure id=\"OBS_VALUE\">\n"
      "              <str:ConceptIdentity>{}</str:ConceptIdentity>\n"
      "            </str:PrimaryMeasure>\n          </str:MeasureList>\n",
      concept_ref(d, "OBS_VALUE"));
  o += "        </str:DataStructureComponents>\n      </str:DataStructure>\n";
  o += "    </str:DataStructures>\n  </mes:Structures>\n</mes:Structure>\n";
  return o;
}

std::string data_schema(const Dsd& d, const std::string& base_location) {
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += fmt::format(
      "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"{0}\" "
      "targetNamespace=\"{0}\" xmlns:dsd=\"{1}\" xmlns:common=\"{2}\" "
      "elementFormDefault=\"qualified\" attributeFormDefault=\"unqualified\">\n",
      markup_escape(data_namespace(d)), kSs, kCom);
  o += fmt::format("  <xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n", kSs,
                   markup_escape(base_location));
  std::string common = base_location;
  if (auto slash = common.rfind('/'); slash != std::string::npos)
    common = common.substr(0, slash + 1) + "SDMXCommon.xsd";
  else
    common = "SDMXCommon.xsd";
  o += fmt::format("  <xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n", kCom,
                   markup_escape(common));
  for (const auto& cl : d.codelists) {
    o += fmt::format("  <xs:simpleType name=\"{}Type\">\n    <xs:restriction base=\"xs:string\">\n",
                     cl.id);
    for (const auto& c : cl.codes)
      o += fmt::format("      <xs:enumeration value=\"{}\"/>\n", markup_escape(c.id));
    o += "    </xs:restriction>\n  </xs:simpleType>\n";
  }
  o += R"(  <xs:complexType name="DataSetType">
    <xs:complexContent>
      <xs:restriction base="dsd:DataSetType">
        <xs:sequence>
          <xs:element ref="common:Annotations" minOccurs="0"/>
          <xs:element name="DataProvider" type="common:DataProviderReferenceType" form="unqualified" minOccurs="0"/>
          <xs:element name="Obs" type="ObsType" form="unqualified" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:restriction>
    </xs:complexContent>
  </xs:complexType>
  <xs:complexType name="ObsType">
    <xs:complexContent>
      <xs:restriction base="dsd:ObsType">
        <xs:sequence>
          <xs:element ref="common:Annotations" minOccurs="0"/>
        </xs:sequence>
        <xs:attribute name="type" type="common:IDType" use="prohibited"/>
        <xs:attribute name="TIME_PERIOD" type="common:ObservationalTimePeriodType" use="required"/>
)";
  for (const auto& dim : d.dimensions)
    o += fmt::format("        <xs:attribute name=\"{}\" type=\"{}Type\" use=\"required\"/>\n",
                     dim.id, d.codelists[dim.codelist].id);
  o += R"(        <xs:attribute name="OBS_VALUE" type="xs:double" use="optional"/>
        <xs:attribute name="OBS_STATUS" type="CL_OBS_STATUSType" use="required"/>
        <xs:attribute name="CONF_STATUS" type="CL_CONF_STATUSType" use="required"/>
      </xs:restriction>
    </xs:complexContent>
  </xs:complexType>
</xs:schema>
)";
  return o;
}

std::string data_xml(const Dsd& d, const std::vector<Obs>& obs, const std::string& prepared) {
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += fmt::format(
      "<mes:StructureSpecificData xmlns:mes=\"{}\" xmlns:com=\"{}\" xmlns:ss=\"{}\" "
      "xmlns:ns1=\"{}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n",
      kMes, kCom, kSs, markup_escape(data_namespace(d)));
  o += header(d.dataflow, prepared);
  o += fmt::format(
      "    <mes:Structure structureID=\"{0}\" namespace=\"{1}\" "
      "dimensionAtObservation=\"AllDimensions\">\n      <com:Structure><Ref agencyID=\"{2}\" "
      "id=\"{0}\" version=\"{3}\"/></com:Structure>\n    </mes:Structure>\n  </mes:Header>\n",
      d.id, markup_escape(data_namespace(d)), d.agency, d.version);
  o += fmt::format(
      "  <mes:DataSet ss:structureRef=\"{}\" xsi:type=\"ns1:DataSetType\" "
      "ss:dataScope=\"DataStructure\">\n",
      d.id);
  for (const auto& x : obs) {
    o += "    <Obs";
    for (std::size_t i = 0; i < d.dimensions.size() && i < x.key.size(); ++i)
      o += fmt::format(" {}=\"{}\"", d.dimensions[i].id, markup_escape(x.key[i]));
    o += fmt::format(" TIME_PERIOD=\"{}\"", markup_escape(x.time));
    if (x.value) o += fmt::format(" OBS_VALUE=\"{}\"", number(*x.value));
    o += fmt::format(" OBS_STATUS=\"{}\" CONF_STATUS=\"{}\"/>\n", markup_escape(x.obs_status),
                     markup_escape(x.conf_status));
  }
  o += "  </mes:DataSet>\n</mes:StructureSpecificData>\n";
  return o;
}

std::string data_csv(const Dsd& d, const std::vector<Obs>& obs) {
  std::string o = "DATAFLOW";
  for (const auto& dim : d.dimensions) o += "," + dim.id;
  o += ",TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS\n";
  const std::string flow = fmt::format("{}:{}({})", d.agency, d.dataflow, d.version);
  for (const auto& x : obs) {
    o += flow;
    for (const auto& k : x.key) o += "," + csv_field(k);
    o += "," + csv_field(x.time) + "," + (x.value ? number(*x.value) : std::string()) + "," +
         x.obs_status + "," + x.conf_status + "\n";
  }
  return o;
}

// --- reading -------------------------------------------------------------------------------------

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

bool has_code(const Codelist& cl, const std::string& id) {
  for (const auto& c : cl.codes)
    if (c.id == id) return true;
  return false;
}

// Checks one observation against the structure; the reason when it does not fit.
std::string check(const Dsd& d, const Obs& o) {
  for (std::size_t i = 0; i < d.dimensions.size(); ++i) {
    const auto& cl = d.codelists[d.dimensions[i].codelist];
    if (!has_code(cl, o.key[i]))
      return fmt::format("{} \"{}\" is not a code of {}", d.dimensions[i].id, o.key[i], cl.id);
  }
  if (o.time.size() != 4 || o.time.find_first_not_of("0123456789") != std::string::npos)
    return fmt::format("TIME_PERIOD \"{}\" is not a year", o.time);
  if (!has_code(obs_status_codelist(), o.obs_status))
    return fmt::format("OBS_STATUS \"{}\" is not A or M", o.obs_status);
  if (!has_code(conf_status_codelist(), o.conf_status))
    return fmt::format("CONF_STATUS \"{}\" is not F, C or D", o.conf_status);
  return "";
}

std::optional<double> parse_value(const std::string& s, bool& ok) {
  ok = true;
  if (s.empty() || s == "NaN") return std::nullopt;
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) ok = false;
    return v;
  } catch (const std::exception&) {
    ok = false;
    return std::nullopt;
  }
}

}  // namespace

std::vector<Obs> read_data_csv(const Dsd& d, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  std::map<std::string, std::size_t> col;
  std::vector<Obs> out;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
    if (line.empty() || line == "\r") continue;
    auto f = split_csv_line(line);
    if (col.empty()) {
      for (std::size_t i = 0; i < f.size(); ++i) col[f[i]] = i;
      for (const auto& dim : d.dimensions)
        if (!col.count(dim.id)) throw ReadError(fmt::format("line 1: no column {}", dim.id));
      for (const char* c : {"TIME_PERIOD", "OBS_VALUE"})
        if (!col.count(c)) throw ReadError(fmt::format("line 1: no column {}", c));
      continue;
    }
    auto get = [&](const std::string& c) -> std::string {
      auto it = col.find(c);
      return it == col.end() || it->second >= f.size() ? "" : f[it->second];
    };
    Obs o;
    for (const auto& dim : d.dimensions) o.key.push_back(get(dim.id));
    o.time = get("TIME_PERIOD");
    bool ok = true;
    o.value = parse_value(get("OBS_VALUE"), ok);
    if (!ok)
      throw ReadError(
          fmt::format("line {}: OBS_VALUE \"{}\" is not a number", n, get("OBS_VALUE")));
    if (col.count("OBS_STATUS")) o.obs_status = get("OBS_STATUS");
    if (col.count("CONF_STATUS")) o.conf_status = get("CONF_STATUS");
    if (auto why = check(d, o); !why.empty()) throw ReadError(fmt::format("line {}: {}", n, why));
    out.push_back(std::move(o));
  }
  if (col.empty()) throw ReadError("line 1: the file is empty");
  return out;
}

namespace {

struct XmlState {
  const Dsd* d = nullptr;
  std::vector<Obs> out;
  std::string error;
  XML_Parser parser = nullptr;
  int depth = 0;
};

std::string local(const char* name) {
  std::string n = name;
  auto p = n.rfind('|');
  return p == std::string::npos ? n : n.substr(p + 1);
}

void on_start(void* data, const char* name, const char** attrs) {
  auto* s = static_cast<XmlState*>(data);
  if (++s->depth > 64 && s->error.empty()) s->error = "elements nested too deep";
  if (!s->error.empty() || local(name) != "Obs") return;
  std::map<std::string, std::string> a;
  for (int i = 0; attrs[i]; i += 2) a[local(attrs[i])] = attrs[i + 1];
  Obs o;
  for (const auto& dim : s->d->dimensions) o.key.push_back(a[dim.id]);
  o.time = a["TIME_PERIOD"];
  bool ok = true;
  if (a.count("OBS_VALUE")) o.value = parse_value(a["OBS_VALUE"], ok);
  o.obs_status = a.count("OBS_STATUS") ? a["OBS_STATUS"] : "A";
  o.conf_status = a.count("CONF_STATUS") ? a["CONF_STATUS"] : "F";
  auto why = ok ? check(*s->d, o) : "OBS_VALUE is not a number";
  if (!why.empty()) {
    s->error = fmt::format("line {}: Obs: {}", XML_GetCurrentLineNumber(s->parser), why);
    return;
  }
  s->out.push_back(std::move(o));
}

void on_end(void* data, const char*) {
  --static_cast<XmlState*>(data)->depth;
}

}  // namespace

std::vector<Obs> read_data_xml(const Dsd& d, const std::string& text) {
  if (text.find("<!DOCTYPE") != std::string::npos || text.find("<!ENTITY") != std::string::npos)
    throw ReadError("document type declarations are refused");
  XmlState s;
  s.d = &d;
  XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
  s.parser = p;
  XML_SetUserData(p, &s);
  XML_SetElementHandler(p, on_start, on_end);
  bool ok = XML_Parse(p, text.data(), static_cast<int>(text.size()), 1) != XML_STATUS_ERROR;
  std::string err = ok ? ""
                       : fmt::format("line {}: {}", XML_GetCurrentLineNumber(p),
                                     XML_ErrorString(XML_GetErrorCode(p)));
  XML_ParserFree(p);
  if (!err.empty()) throw ReadError(err);
  if (!s.error.empty()) throw ReadError(s.error);
  return s.out;
}

}  // namespace sanad::sdmx
