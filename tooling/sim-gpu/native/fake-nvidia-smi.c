/*
 * A simulated nvidia-smi: `--query-gpu=<fields> --format=csv[,noheader][,nounits]` and `-L`, printed
 * in the real tool's shapes from the simulated libnvidia-ml.so.1 beside it (linked with an $ORIGIN
 * rpath), so both read the same scenario and share its faults: a hung NVML call hangs this process
 * too, a lost GPU makes it print the driver's message and exit 15.
 *
 * Absence spellings follow the NVML return code, as the real tool does ([N/A], [Insufficient
 * Permissions], [Unknown Error], ...); `gpu.<i> smi:<field> <text>` in the scenario prints `text`
 * verbatim instead (an empty cell, a bare N/A), and `system smi.notSupported <text>` changes how
 * NOT_SUPPORTED is spelled (older drivers print [Not Supported]).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-nvml.h"

/* Exported by the simulated library for this tool only: a raw scenario setting. */
int tessera_sim_setting(const char *scope, const char *key, char *out, unsigned int size);

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy);

typedef enum { KIND_TEXT, KIND_PERCENT, KIND_MIB, KIND_WATTS, KIND_MHZ, KIND_PLAIN } kind_t;

typedef struct {
  const char *name;   /* the name the tool returns in the header */
  const char *alias;  /* another accepted spelling, or NULL */
  kind_t kind;
} field_t;

static const field_t fields[] = {
    {"index", NULL, KIND_PLAIN},
    {"uuid", "gpu_uuid", KIND_TEXT},
    {"name", "gpu_name", KIND_TEXT},
    {"pci.bus_id", "gpu_bus_id", KIND_TEXT},
    {"driver_version", NULL, KIND_TEXT},
    {"serial", NULL, KIND_TEXT},
    {"vbios_version", NULL, KIND_TEXT},
    {"utilization.gpu", NULL, KIND_PERCENT},
    {"utilization.memory", NULL, KIND_PERCENT},
    {"utilization.encoder", NULL, KIND_PERCENT},
    {"utilization.decoder", NULL, KIND_PERCENT},
    {"memory.total", NULL, KIND_MIB},
    {"memory.reserved", NULL, KIND_MIB},
    {"memory.used", NULL, KIND_MIB},
    {"memory.free", NULL, KIND_MIB},
    {"temperature.gpu", NULL, KIND_PLAIN},
    {"temperature.memory", NULL, KIND_PLAIN},
    {"power.draw", NULL, KIND_WATTS},
    {"power.limit", NULL, KIND_WATTS},
    {"enforced.power.limit", NULL, KIND_WATTS},
    {"clocks.current.graphics", "clocks.gr", KIND_MHZ},
    {"clocks.current.sm", "clocks.sm", KIND_MHZ},
    {"clocks.current.memory", "clocks.mem", KIND_MHZ},
    {"fan.speed", NULL, KIND_PERCENT},
    {"pstate", NULL, KIND_TEXT},
    {"pcie.link.gen.current", NULL, KIND_PLAIN},
    {"pcie.link.width.current", NULL, KIND_PLAIN},
    {"remapped_rows.correctable", "remapped_rows.sbe", KIND_PLAIN},
    {"remapped_rows.uncorrectable", "remapped_rows.dbe", KIND_PLAIN},
    {"remapped_rows.pending", NULL, KIND_TEXT},
    {"remapped_rows.failure", NULL, KIND_TEXT},
    {"ecc.errors.corrected.volatile.total", NULL, KIND_PLAIN},
    {"ecc.errors.uncorrected.volatile.total", NULL, KIND_PLAIN},
    {"ecc.errors.corrected.aggregate.total", NULL, KIND_PLAIN},
    {"ecc.errors.uncorrected.aggregate.total", NULL, KIND_PLAIN},
    {"mig.mode.current", NULL, KIND_TEXT},
};
#define FIELD_COUNT (sizeof fields / sizeof fields[0])
#define MAX_QUERY 64

static int with_units = 1;

static const char *absence(nvmlReturn_t result) {
  static char not_supported[96];
  switch (result) {
    case NVML_ERROR_NOT_SUPPORTED:
      if (tessera_sim_setting("system", "smi.notSupported", not_supported, sizeof not_supported)) return not_supported;
      return "[N/A]";
    case NVML_ERROR_NO_PERMISSION: return "[Insufficient Permissions]";
    case NVML_ERROR_DEPRECATED: return "[Requested functionality has been deprecated]";
    case NVML_ERROR_FUNCTION_NOT_FOUND: return "[Function Not Found]";
    default: return "[Unknown Error]";
  }
}

static const char *unit_of(kind_t kind) {
  switch (kind) {
    case KIND_PERCENT: return "%";
    case KIND_MIB: return "MiB";
    case KIND_WATTS: return "W";
    case KIND_MHZ: return "MHz";
    default: return NULL;
  }
}

static void format_number(char *cell, size_t size, kind_t kind, double value) {
  const char *unit = with_units ? unit_of(kind) : NULL;
  char number[64];
  if (kind == KIND_WATTS) snprintf(number, sizeof number, "%.2f", value);
  else if (kind == KIND_MIB) snprintf(number, sizeof number, "%.0f", ceil(value / 1048576.0)); /* the tool rounds MiB up */
  else snprintf(number, sizeof number, "%.0f", value);
  if (unit == NULL) snprintf(cell, size, "%s", number);
  else snprintf(cell, size, "%s %s", number, unit);
}

static nvmlReturn_t field_value(nvmlDevice_t device, unsigned int fieldId, double *value) {
  nvmlFieldValue_t request;
  memset(&request, 0, sizeof request);
  request.fieldId = fieldId;
  nvmlReturn_t result = nvmlDeviceGetFieldValues(device, 1, &request);
  if (result != NVML_SUCCESS) return result;
  if (request.nvmlReturn != NVML_SUCCESS) return request.nvmlReturn;
  *value = request.valueType == NVML_VALUE_TYPE_UNSIGNED_INT ? request.value.uiVal : (double)request.value.ullVal;
  return NVML_SUCCESS;
}

/* Fills `cell` with one field of one GPU, as the tool prints it. */
static void format_cell(int index, nvmlDevice_t device, const field_t *field, char *cell, size_t size) {
  char override[160], key[96], scope[32];
  snprintf(key, sizeof key, "smi:%s", field->name);
  snprintf(scope, sizeof scope, "gpu.%d", index);
  if (tessera_sim_setting(scope, key, override, sizeof override)) {
    snprintf(cell, size, "%s", override);
    return;
  }
  const char *name = field->name;
  nvmlReturn_t result = NVML_SUCCESS;
  double value = 0;
  unsigned int number = 0, unused = 0;
  char text[128] = "";
  if (strcmp(name, "index") == 0) {
    snprintf(cell, size, "%d", index);
    return;
  } else if (strcmp(name, "uuid") == 0) result = nvmlDeviceGetUUID(device, text, sizeof text);
  else if (strcmp(name, "name") == 0) result = nvmlDeviceGetName(device, text, sizeof text);
  else if (strcmp(name, "serial") == 0) result = nvmlDeviceGetSerial(device, text, sizeof text);
  else if (strcmp(name, "vbios_version") == 0) result = nvmlDeviceGetVbiosVersion(device, text, sizeof text);
  else if (strcmp(name, "driver_version") == 0) result = nvmlSystemGetDriverVersion(text, sizeof text);
  else if (strcmp(name, "pci.bus_id") == 0) {
    nvmlPciInfo_t pci;
    result = nvmlDeviceGetPciInfo_v3(device, &pci);
    if (result == NVML_SUCCESS) snprintf(text, sizeof text, "%s", pci.busId);
  } else if (strcmp(name, "utilization.gpu") == 0 || strcmp(name, "utilization.memory") == 0) {
    nvmlUtilization_t utilization;
    result = nvmlDeviceGetUtilizationRates(device, &utilization);
    value = strcmp(name, "utilization.gpu") == 0 ? utilization.gpu : utilization.memory;
  } else if (strcmp(name, "utilization.encoder") == 0) {
    result = nvmlDeviceGetEncoderUtilization(device, &number, &unused);
    value = number;
  } else if (strcmp(name, "utilization.decoder") == 0) {
    result = nvmlDeviceGetDecoderUtilization(device, &number, &unused);
    value = number;
  } else if (strncmp(name, "memory.", 7) == 0) {
    nvmlMemory_v2_t memory = {.version = NVML_MEMORY_V2_VERSION};
    result = nvmlDeviceGetMemoryInfo_v2(device, &memory);
    if (strcmp(name, "memory.total") == 0) value = (double)memory.total;
    else if (strcmp(name, "memory.reserved") == 0) value = (double)memory.reserved;
    else if (strcmp(name, "memory.used") == 0) value = (double)memory.used;
    else value = (double)memory.free;
  } else if (strcmp(name, "temperature.gpu") == 0) {
    result = nvmlDeviceGetTemperature(device, 0, &number);
    value = number;
  } else if (strcmp(name, "temperature.memory") == 0) {
    result = field_value(device, 82, &value);
    /* Boards without HBM print a bare N/A here, without brackets. */
    if (result == NVML_ERROR_NOT_SUPPORTED) {
      snprintf(cell, size, "N/A");
      return;
    }
  } else if (strcmp(name, "power.draw") == 0 || strcmp(name, "power.limit") == 0 || strcmp(name, "enforced.power.limit") == 0) {
    if (strcmp(name, "power.draw") == 0) result = nvmlDeviceGetPowerUsage(device, &number);
    else if (strcmp(name, "power.limit") == 0) result = nvmlDeviceGetPowerManagementLimit(device, &number);
    else result = nvmlDeviceGetEnforcedPowerLimit(device, &number);
    value = number / 1000.0;
  } else if (strncmp(name, "clocks.current.", 15) == 0) {
    int type = strcmp(name, "clocks.current.graphics") == 0 ? 0 : strcmp(name, "clocks.current.sm") == 0 ? 1 : 2;
    result = nvmlDeviceGetClockInfo(device, type, &number);
    value = number;
  } else if (strcmp(name, "fan.speed") == 0) {
    result = nvmlDeviceGetFanSpeed(device, &number);
    value = number;
  } else if (strcmp(name, "pstate") == 0) {
    int state = 0;
    result = nvmlDeviceGetPerformanceState(device, &state);
    snprintf(text, sizeof text, "P%d", state);
  } else if (strcmp(name, "pcie.link.gen.current") == 0) {
    result = nvmlDeviceGetCurrPcieLinkGeneration(device, &number);
    value = number;
  } else if (strcmp(name, "pcie.link.width.current") == 0) {
    result = nvmlDeviceGetCurrPcieLinkWidth(device, &number);
    value = number;
  } else if (strncmp(name, "remapped_rows.", 14) == 0) {
    unsigned int corrected = 0, uncorrected = 0, pending = 0, failure = 0;
    result = nvmlDeviceGetRemappedRows(device, &corrected, &uncorrected, &pending, &failure);
    if (strcmp(name, "remapped_rows.correctable") == 0) value = corrected;
    else if (strcmp(name, "remapped_rows.uncorrectable") == 0) value = uncorrected;
    else snprintf(text, sizeof text, "%s", (strcmp(name, "remapped_rows.pending") == 0 ? pending : failure) ? "Yes" : "No");
  } else if (strncmp(name, "ecc.errors.", 11) == 0) {
    unsigned int id = strstr(name, ".corrected.volatile") ? 3 : strstr(name, ".uncorrected.volatile") ? 4 : strstr(name, ".corrected.aggregate") ? 5 : 6;
    result = field_value(device, id, &value);
  } else if (strcmp(name, "mig.mode.current") == 0) {
    unsigned int current = 0, pending = 0;
    result = nvmlDeviceGetMigMode(device, &current, &pending);
    snprintf(text, sizeof text, "%s", current ? "Enabled" : "Disabled");
  }
  if (result != NVML_SUCCESS) snprintf(cell, size, "%s", absence(result));
  else if (field->kind == KIND_TEXT) snprintf(cell, size, "%s", text);
  else format_number(cell, size, field->kind, value);
}

static const field_t *find_field(const char *name) {
  for (size_t i = 0; i < FIELD_COUNT; i++) {
    if (strcmp(fields[i].name, name) == 0 || (fields[i].alias != NULL && strcmp(fields[i].alias, name) == 0)) return &fields[i];
  }
  return NULL;
}

static int fail_init(nvmlReturn_t result) {
  if (result == NVML_ERROR_DRIVER_NOT_LOADED) {
    printf("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n");
  } else {
    printf("Failed to initialize NVML: %s\n", nvmlErrorString(result));
  }
  return result == NVML_ERROR_UNKNOWN ? 255 : result;
}

static void lost_message(int index) {
  char busId[64] = "", scope[32];
  snprintf(scope, sizeof scope, "gpu.%d", index);
  if (!tessera_sim_setting(scope, "pci.busId", busId, sizeof busId)) snprintf(busId, sizeof busId, "%d", index);
  fprintf(stderr, "Unable to determine the device handle for GPU%s: GPU is lost.  Reboot the system to recover this GPU\n", busId);
}

static int list_gpus(void) {
  unsigned int count = 0;
  nvmlDeviceGetCount_v2(&count);
  int status = 0;
  for (unsigned int i = 0; i < count; i++) {
    nvmlDevice_t device;
    nvmlReturn_t result = nvmlDeviceGetHandleByIndex_v2(i, &device);
    if (result != NVML_SUCCESS) {
      lost_message((int)i);
      status = result;
      continue;
    }
    char name[96] = "", uuid[96] = "";
    nvmlDeviceGetName(device, name, sizeof name);
    nvmlDeviceGetUUID(device, uuid, sizeof uuid);
    printf("GPU %u: %s (UUID: %s)\n", i, name, uuid);
    unsigned int mode = 0, pending = 0;
    if (nvmlDeviceGetMigMode(device, &mode, &pending) != NVML_SUCCESS || !mode) continue;
    for (unsigned int slot = 0; slot < 7; slot++) {
      nvmlDevice_t mig;
      if (nvmlDeviceGetMigDeviceHandleByIndex(device, slot, &mig) != NVML_SUCCESS) break;
      char profile[96] = "", migUuid[96] = "", scope[32];
      snprintf(scope, sizeof scope, "gpu.%u.mig.%u", i, slot);
      tessera_sim_setting(scope, "profile.name", profile, sizeof profile);
      nvmlDeviceGetUUID(mig, migUuid, sizeof migUuid);
      printf("  %-16sDevice %2u: (UUID: %s)\n", profile, slot, migUuid);
    }
  }
  return status;
}

static int query_gpus(char *list, int header) {
  const field_t *query[MAX_QUERY];
  int query_count = 0;
  for (char *name = strtok(list, ","); name != NULL; name = strtok(NULL, ",")) {
    while (*name == ' ') name++;
    const field_t *field = find_field(name);
    if (field == NULL) {
      printf("Field \"%s\" is not a valid field to query.\n\n", name);
      return 2;
    }
    if (query_count < MAX_QUERY) query[query_count++] = field;
  }
  if (header) {
    for (int i = 0; i < query_count; i++) {
      const char *unit = with_units ? unit_of(query[i]->kind) : NULL;
      printf("%s%s", i == 0 ? "" : ", ", query[i]->name);
      if (unit != NULL) printf(" [%s]", unit);
    }
    printf("\n");
  }
  unsigned int count = 0;
  nvmlDeviceGetCount_v2(&count);
  int status = 0;
  for (unsigned int gpu = 0; gpu < count; gpu++) {
    nvmlDevice_t device;
    nvmlReturn_t result = nvmlDeviceGetHandleByIndex_v2(gpu, &device);
    if (result != NVML_SUCCESS) {
      lost_message((int)gpu);
      status = result;
      continue;
    }
    for (int i = 0; i < query_count; i++) {
      char cell[192];
      format_cell((int)gpu, device, query[i], cell, sizeof cell);
      printf("%s%s", i == 0 ? "" : ", ", cell);
    }
    printf("\n");
    fflush(stdout);
  }
  return status;
}

int main(int argc, char **argv) {
  char *query = NULL;
  const char *format = NULL;
  int list = 0;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--query-gpu=", 12) == 0) query = argv[i] + 12;
    else if (strcmp(argv[i], "--query-gpu") == 0 && i + 1 < argc) query = argv[++i];
    else if (strncmp(argv[i], "--format=", 9) == 0) format = argv[i] + 9;
    else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) format = argv[++i];
    else if (strcmp(argv[i], "-L") == 0 || strcmp(argv[i], "--list-gpus") == 0) list = 1;
    else {
      printf("Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n\n");
      return 2;
    }
  }
  if (!list && query == NULL) {
    printf("This simulator answers --query-gpu=... --format=csv[,noheader][,nounits] and -L only.\n");
    return 2;
  }
  int header = 1;
  if (query != NULL) {
    if (format == NULL || strncmp(format, "csv", 3) != 0) {
      printf("Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n\n");
      return 2;
    }
    header = strstr(format, "noheader") == NULL;
    with_units = strstr(format, "nounits") == NULL;
  }
  nvmlReturn_t result = nvmlInit_v2();
  if (result != NVML_SUCCESS) return fail_init(result);
  int status = list ? list_gpus() : query_gpus(query, header);
  nvmlShutdown();
  return status;
}
