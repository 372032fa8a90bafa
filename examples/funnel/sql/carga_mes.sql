INSERT INTO trusted.funnel_mes SELECT date_trunc('month', fecha) AS mes, etapa, sum(clientes), sum(monto) FROM trusted.funnel_dia GROUP BY ALL
