package hitcounter;

import com.typesafe.config.Config;
import hitcounter.api.ApiSettings;
import hitcounter.audit.AuditSettings;
import hitcounter.count.FaultSettings;
import hitcounter.count.StoreSettings;
import hitcounter.count.WorkerSettings;
import hitcounter.discovery.DiscoverySettings;
import hitcounter.health.HealthSettings;
import hitcounter.infra.NodeSettings;
import hitcounter.infra.consul.WatchSettings;
import hitcounter.ingest.IngestSettings;
import hitcounter.replicate.ReplicationSettings;

/** Every typed settings record of a node, each read once from its block of the configuration. */
record NodeConfig(
    Config root,
    NodeSettings node,
    WatchSettings watch,
    WorkerSettings worker,
    StoreSettings fold,
    DiscoverySettings discovery,
    ReplicationSettings replication,
    HealthSettings health,
    IngestSettings ingest,
    AuditSettings audit,
    ApiSettings api,
    FaultSettings fault,
    hitcounter.config.SitesSettings sites,
    hitcounter.config.AnalyticsSettings analytics,
    hitcounter.count.ResetRepair.Settings resets,
    hitcounter.count.ResetFolder.Settings resetFolds,
    hitcounter.api.ImportSettings imports) {

  static NodeConfig create(Config root) {
    return new NodeConfig(
        root,
        NodeSettings.create(root),
        WatchSettings.create(root),
        WorkerSettings.create(root),
        StoreSettings.create(root),
        DiscoverySettings.create(root),
        ReplicationSettings.create(root),
        HealthSettings.create(root),
        IngestSettings.create(root),
        AuditSettings.create(root),
        ApiSettings.create(root),
        FaultSettings.create(root),
        hitcounter.config.SitesSettings.create(root),
        hitcounter.config.AnalyticsSettings.create(root),
        hitcounter.count.ResetRepair.Settings.create(root),
        hitcounter.count.ResetFolder.Settings.create(root),
        hitcounter.api.ImportSettings.create(root));
  }
}
