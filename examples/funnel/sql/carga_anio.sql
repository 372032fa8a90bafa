INSERT INTO trusted.funnel_anio SELECT year(mes) AS anio, etapa, sum(clientes), sum(monto) FROM trusted.funnel_mes GROUP BY ALL
