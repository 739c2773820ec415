# Multi-stage build of the web app. The build stage runs scripts/publish.sh, the same restore and publish
# that test.sh runs in CI.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN ./scripts/publish.sh /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# SQLite lives in /app/data unless Database__Provider=Postgres and ConnectionStrings__Postgres say otherwise.
VOLUME /app/data
ENV Urls=http://0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "Portal.Web.dll"]
